using SelectBench.Engine;
using SelectBench.Common;
using static TorchSharp.torch;

namespace SelectBench.Models;

/// <summary>What a checkpoint needs to rebuild its network: zoo name, width multiplier, input channels, classes.</summary>
public sealed record ModelSpec(string Name, int Channels, int Classes, double Width = 1.0);

/// <summary>
/// Builds models by name from <see cref="ModelArchitectures.Registry"/>, in the spirit of timm's
/// <c>create_model</c>; a new architecture is one registered <see cref="IModelArchitecture"/> class.
/// </summary>
public static class ModelZoo
{
    public static IReadOnlyList<string> Names => ModelArchitectures.Registry.Names;

    public static bool Contains(string name) => ModelArchitectures.Registry.Contains(name);

    /// <summary>A freshly initialised model; <paramref name="generator"/> fixes the initial weights.</summary>
    public static ClassifierNet Create(string name, int channels, int classes, double width = 1.0, Generator? generator = null)
    {
        var architecture = ModelArchitectures.Registry.Create(name, where: "model");
        if (channels < 1) throw new SelectBenchException($"Model '{name}': input channels must be at least 1, got {channels}.");
        if (classes < 1) throw new SelectBenchException($"Model '{name}': classes must be at least 1, got {classes}.");
        if (!(width > 0) || double.IsInfinity(width)) throw new SelectBenchException($"Model '{name}': width multiplier must be positive, got {width}.");
        TorchEngine.EnsureReady();
        return architecture.Build(channels, classes, width, generator);
    }

    public static ClassifierNet Create(ModelSpec spec, Generator? generator = null) =>
        Create(spec.Name, spec.Channels, spec.Classes, spec.Width, generator);
}

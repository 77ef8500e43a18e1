using SelectBench.Engine;
using SelectBench.Common;
using static TorchSharp.torch;

namespace SelectBench.Models;

/// <summary>What a checkpoint needs to rebuild its network: zoo name, width multiplier, input channels, classes.</summary>
public sealed record ModelSpec(string Name, int Channels, int Classes, double Width = 1.0);

/// <summary>
/// Models found by name, in the spirit of timm's <c>@register_model</c>: one line per architecture.
/// </summary>
public static class ModelZoo
{
    private static readonly Dictionary<string, Func<int, int, double, Generator?, ClassifierNet>> Factories = new()
    {
        // He et al. 2016, section 4.2: depth 6n + 2.
        ["resnet20"] = (c, k, w, g) => new CifarResNet(3, c, k, w, g),
        ["resnet32"] = (c, k, w, g) => new CifarResNet(5, c, k, w, g),
        ["resnet56"] = (c, k, w, g) => new CifarResNet(9, c, k, w, g),
        // He et al. 2016, Table 1.
        ["resnet18"] = (c, k, w, g) => new ImageNetResNet(false, [2, 2, 2, 2], c, k, w, generator: g),
        ["resnet50"] = (c, k, w, g) => new ImageNetResNet(true, [3, 4, 6, 3], c, k, w, generator: g),
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    public static bool Contains(string name) => Factories.ContainsKey(name);

    /// <summary>A freshly initialised model; <paramref name="generator"/> fixes the initial weights.</summary>
    public static ClassifierNet Create(string name, int channels, int classes, double width = 1.0, Generator? generator = null)
    {
        if (!Factories.TryGetValue(name, out var factory))
            throw new SelectBenchException($"Unknown model '{name}'. Known models: {string.Join(", ", Factories.Keys)}.");
        if (channels < 1) throw new SelectBenchException($"Model '{name}': input channels must be at least 1, got {channels}.");
        if (classes < 1) throw new SelectBenchException($"Model '{name}': classes must be at least 1, got {classes}.");
        if (!(width > 0) || double.IsInfinity(width)) throw new SelectBenchException($"Model '{name}': width multiplier must be positive, got {width}.");
        TorchEngine.EnsureReady();
        return factory(channels, classes, width, generator);
    }

    public static ClassifierNet Create(ModelSpec spec, Generator? generator = null) =>
        Create(spec.Name, spec.Channels, spec.Classes, spec.Width, generator);
}

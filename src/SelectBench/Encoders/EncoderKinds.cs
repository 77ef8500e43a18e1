using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Encoders.SelfSupervised;

namespace SelectBench.Encoders;

/// <summary>What opening an encoder may need besides its spec: the set a PCA is fitted on, and ONNX threads.</summary>
/// <param name="FitSet">Called only by kinds that fit (pca): the base eval set, so every shift is embedded by the same fixed encoder.</param>
/// <param name="Threads">Intra-op threads of ONNX sessions.</param>
public sealed record EncoderInputs(Func<ImageSet> FitSet, int Threads = 1);

/// <summary>
/// One kind of encoder spec, <c>kind</c> or <c>kind:ARGUMENT</c> (see <see cref="EncoderSpec"/>), registered by
/// its kind name.
/// </summary>
public interface IEncoderKind
{
    /// <summary>Opens the encoder. <paramref name="argument"/> is the text after the first ':' ("" when none); <paramref name="spec"/> is the whole spec, for messages.</summary>
    IImageEncoder Open(string argument, string spec, EncoderInputs inputs);
}

/// <summary>The encoder kinds, found by name (<c>selectbench list encoders</c>).</summary>
public static class EncoderKinds
{
    public static Registry<IEncoderKind> Registry { get; } = new("encoder");

    internal static string RequireFolder(string path, string spec) =>
        Directory.Exists(path) ? path : throw new SelectBenchException($"Encoder '{spec}': folder '{path}' not found.");

    internal static string RequireFile(string path, string spec) =>
        File.Exists(path) ? path : throw new SelectBenchException($"Encoder '{spec}': file '{path}' not found.");
}

[Registered("pca", Description = "pca[:K]: whitened pixel PCA with K components (default 64), fitted on the base eval set")]
public sealed class PcaEncoderKind : IEncoderKind
{
    public const int DefaultComponents = 64;

    public IImageEncoder Open(string argument, string spec, EncoderInputs inputs) =>
        PixelPcaEncoder.Fit(inputs.FitSet(), argument.Length == 0 ? DefaultComponents : ParseComponents(argument, spec));

    private static int ParseComponents(string text, string spec) =>
        int.TryParse(text, out int k) && k > 0 ? k : throw new SelectBenchException($"Encoder '{spec}': the number of PCA components must be a positive integer.");
}

[Registered("pca-model", Description = "pca-model:DIR: a pixel PCA saved by SelectBench")]
public sealed class PcaModelEncoderKind : IEncoderKind
{
    public IImageEncoder Open(string argument, string spec, EncoderInputs inputs) =>
        PixelPcaEncoder.Load(EncoderKinds.RequireFolder(argument, spec));
}

[Registered("ssl", Description = "ssl:DIR: a self-supervised encoder saved by SelectBench")]
public sealed class SelfSupervisedEncoderKind : IEncoderKind
{
    public IImageEncoder Open(string argument, string spec, EncoderInputs inputs) =>
        SelfSupervisedEncoder.Load(EncoderKinds.RequireFolder(argument, spec));
}

[Registered("checkpoint", Description = "checkpoint:FILE: the penultimate layer of a SelectBench checkpoint, or of a torchvision-layout ResNet state dict (.pth, e.g. DINO's ResNet-50)")]
public sealed class CheckpointEncoderKind : IEncoderKind
{
    public IImageEncoder Open(string argument, string spec, EncoderInputs inputs) =>
        new CheckpointEncoder(EncoderKinds.RequireFile(argument, spec));
}

[Registered("resnet18", Description = "resnet18: the ImageNet ResNet-18 featurizer of Microsoft.ML.DnnImageFeaturizer.ResNet18")]
public sealed class ResNet18FeaturizerKind : IEncoderKind
{
    public IImageEncoder Open(string argument, string spec, EncoderInputs inputs) =>
        OnnxImageEncoder.ResNet18Featurizer(inputs.Threads);
}

[Registered("onnx", Description = "onnx:FILE: a user ONNX model with torchvision's ImageNet preprocessing at 224 x 224")]
public sealed class OnnxEncoderKind : IEncoderKind
{
    public IImageEncoder Open(string argument, string spec, EncoderInputs inputs) =>
        new OnnxImageEncoder(new OnnxImageEncoderOptions(ModelPath: EncoderKinds.RequireFile(argument, spec), InputWidth: 224, InputHeight: 224,
            ChannelOrder: ChannelOrder.Rgb, Scale: PixelScale.Unit, Mean: ImageNetStatistics.Mean, Std: ImageNetStatistics.Std,
            Flatten: true, IntraOpThreads: inputs.Threads));
}

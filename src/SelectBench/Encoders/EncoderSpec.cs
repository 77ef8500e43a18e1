using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Encoders.SelfSupervised;

namespace SelectBench.Encoders;

/// <summary>
/// Resolves an encoder named in a config or on the command line:
/// <list type="bullet">
/// <item><c>pca</c> or <c>pca:K</c>: whitened pixel PCA with K components (default 64), fitted on the given fit set
/// (the base eval set, so every shift is embedded by the same fixed encoder);</item>
/// <item><c>pca-model:FOLDER</c>: a saved pixel PCA;</item>
/// <item><c>ssl:FOLDER</c>: a self-supervised encoder saved by SelectBench;</item>
/// <item><c>checkpoint:FILE</c>: the penultimate layer of a SelectBench checkpoint;</item>
/// <item><c>resnet18</c>: the ImageNet ResNet-18 featurizer of Microsoft.ML.DnnImageFeaturizer.ResNet18;</item>
/// <item><c>onnx:FILE</c>: a user ONNX model with ImageNet preprocessing at 224 x 224.</item>
/// </list>
/// </summary>
public static class EncoderSpec
{
    public const string Help = "pca[:K], pca-model:DIR, ssl:DIR, checkpoint:FILE, resnet18 or onnx:FILE";

    public static IImageEncoder Resolve(string spec, Func<ImageSet> fitSet, int threads = 1)
    {
        var (kind, arg) = spec.Contains(':') ? (spec[..spec.IndexOf(':')], spec[(spec.IndexOf(':') + 1)..]) : (spec, "");
        return kind switch
        {
            "pca" => PixelPcaEncoder.Fit(fitSet(), arg.Length == 0 ? 64 : ParseComponents(arg, spec)),
            "pca-model" => PixelPcaEncoder.Load(RequireFolder(arg, spec)),
            "ssl" => SelfSupervisedEncoder.Load(RequireFolder(arg, spec)),
            "checkpoint" => new CheckpointEncoder(RequireFile(arg, spec)),
            "resnet18" => OnnxImageEncoder.ResNet18Featurizer(threads),
            "onnx" => new OnnxImageEncoder(new OnnxImageEncoderOptions(ModelPath: RequireFile(arg, spec), InputWidth: 224, InputHeight: 224,
                ChannelOrder: ChannelOrder.Rgb, Scale: PixelScale.Unit, Mean: ImageNetStatistics.Mean, Std: ImageNetStatistics.Std,
                Flatten: true, IntraOpThreads: threads)),
            _ => throw new SelectBenchException($"Unknown encoder '{spec}'. Use {Help}."),
        };
    }

    private static int ParseComponents(string text, string spec) =>
        int.TryParse(text, out int k) && k > 0 ? k : throw new SelectBenchException($"Encoder '{spec}': the number of PCA components must be a positive integer.");

    private static string RequireFolder(string path, string spec) =>
        Directory.Exists(path) ? path : throw new SelectBenchException($"Encoder '{spec}': folder '{path}' not found.");

    private static string RequireFile(string path, string spec) =>
        File.Exists(path) ? path : throw new SelectBenchException($"Encoder '{spec}': file '{path}' not found.");
}

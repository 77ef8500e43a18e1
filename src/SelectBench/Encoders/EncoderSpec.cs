using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Encoders;

/// <summary>
/// Resolves an encoder named in a config or on the command line, <c>kind</c> or <c>kind:ARGUMENT</c>, through
/// <see cref="EncoderKinds.Registry"/>:
/// <list type="bullet">
/// <item><c>pca</c> or <c>pca:K</c>: whitened pixel PCA with K components (default 64), fitted on the given fit set
/// (the base eval set, so every shift is embedded by the same fixed encoder);</item>
/// <item><c>pca-model:FOLDER</c>: a saved pixel PCA;</item>
/// <item><c>ssl:FOLDER</c>: a self-supervised encoder saved by SelectBench;</item>
/// <item><c>checkpoint:FILE</c>: the penultimate layer of a SelectBench checkpoint, or of a PyTorch state dict of a
/// torchvision-layout ResNet (<c>checkpoint:dino_resnet50.pth</c>; docs/encoders.md, "PyTorch weights");</item>
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
        if (!EncoderKinds.Registry.Contains(kind))
        {
            var hint = Suggest.Nearest(kind, EncoderKinds.Registry.Names) is { } near ? $" Did you mean '{near}'?" : "";
            throw new SelectBenchException($"Unknown encoder '{spec}'.{hint} Use {Help}.");
        }
        return EncoderKinds.Registry.Create(kind).Open(arg, spec, new EncoderInputs(fitSet, threads));
    }
}

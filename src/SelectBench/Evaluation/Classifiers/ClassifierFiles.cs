using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Evaluation.Classifiers;

/// <summary>Opens a model file as a classifier: a SelectBench checkpoint (.ckpt) or an ONNX model (.onnx).</summary>
public static class ClassifierFiles
{
    /// <param name="labels">The label set naming an ONNX model's outputs (an ONNX file carries no class names).</param>
    public static IImageClassifier Open(string path, LabelSet labels, string device = "cpu", OnnxClassifierOptions? onnx = null)
    {
        if (!File.Exists(path)) throw new SelectBenchException($"Model file '{path}' not found.");
        return path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
            ? new OnnxClassifier(path, labels, onnx ?? new OnnxClassifierOptions())
            : TorchSharpClassifier.Load(path, device);
    }
}

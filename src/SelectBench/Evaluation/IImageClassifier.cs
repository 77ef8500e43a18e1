using SelectBench.Data;

namespace SelectBench.Evaluation;

/// <summary>
/// Any classifier the eval suite can score: a SelectBench TorchSharp checkpoint or an ONNX model.
/// </summary>
public interface IImageClassifier : IDisposable
{
    string Name { get; }
    LabelSet LabelSet { get; }
    /// <summary>Softmax probabilities, row-major: images.Count rows of LabelSet.Count.</summary>
    float[] PredictProbabilities(ImageSet images);
}

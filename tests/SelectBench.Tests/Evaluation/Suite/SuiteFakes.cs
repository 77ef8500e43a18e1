using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Evaluation;
using SelectBench.Embedding;

namespace SelectBench.Tests.Evaluation.Suite;

/// <summary>A classifier that returns given probabilities, looked up by image id (test double).</summary>
internal sealed class TableClassifier(LabelSet labels, Func<string, float[]> probabilities) : IImageClassifier
{
    public string Name => "table";
    public LabelSet LabelSet => labels;
    public float[] PredictProbabilities(ImageSet images) => images.Ids.SelectMany(probabilities).ToArray();
    public void Dispose() { }
}

/// <summary>Raw pixels as features: enough to separate the block classes of TinyData.</summary>
internal sealed class PixelEncoder : IImageEncoder
{
    public string Name => "pixels";
    public int Dimension { get; private set; }
    public void Dispose() { }
    public Embeddings Encode(ImageSet images)
    {
        Dimension = images.ImageSize;
        return new Embeddings(images.Pixels.Select(b => b / 255f).ToArray(), images.Count, images.ImageSize);
    }
}

internal static class SuiteData
{
    public static float[] OneHot(int cls, int classes, float confidence = 0.9f)
    {
        var p = Enumerable.Repeat((1 - confidence) / (classes - 1), classes).ToArray();
        p[cls] = confidence;
        return p;
    }
}

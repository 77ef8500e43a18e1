using System.Runtime.CompilerServices;
using SelectBench.Data;

namespace SelectBench.Evaluation.Suite;

/// <summary>
/// Remembers a classifier's probabilities per image set (by reference) for the length of one suite run,
/// so base accuracy, analytics and a natural set that reuses the base set share one forward pass.
/// Disposing it does not dispose the wrapped classifier, which belongs to the caller.
/// </summary>
internal sealed class MemoizingClassifier(IImageClassifier inner) : IImageClassifier
{
    private readonly ConditionalWeakTable<ImageSet, float[]> _cache = new();

    public string Name => inner.Name;
    public LabelSet LabelSet => inner.LabelSet;

    public float[] PredictProbabilities(ImageSet images) =>
        _cache.GetValue(images, inner.PredictProbabilities);

    public void Dispose() { }

    public static IImageClassifier? Wrap(IImageClassifier? classifier) =>
        classifier is null or MemoizingClassifier ? classifier : new MemoizingClassifier(classifier);
}

using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;
using SelectBench.Analysis;

namespace SelectBench.Evaluation.Suite;

/// <summary>A natural-shift eval set; <paramref name="ClassSubset"/> restricts prediction to those classes (ImageNet-R/A convention).</summary>
public sealed record NaturalEvalSet(string Name, ImageSet Images, IReadOnlyList<int>? ClassSubset = null);

/// <summary>A downstream task for transfer: its own label set, train and test splits.</summary>
public sealed record TransferTask(string Name, ImageSet Train, ImageSet Test)
{
    public LabelSet LabelSet => Train.LabelSet;
}

/// <summary>
/// Everything a suite run can use. Each metric declares what it reads (<see cref="MetricDeclaration.Requires"/>
/// and <see cref="MetricDeclaration.Uses"/>, named by <see cref="MetricInputs"/>) and the suite checks the
/// required ones before any metric runs. Settings are not inputs: each metric takes its own record.
/// </summary>
public sealed record EvalInputs
{
    /// <summary>The label set every set and model must share.</summary>
    public required LabelSet LabelSet { get; init; }
    public IImageClassifier? Classifier { get; init; }
    /// <summary>A SelectBench checkpoint of the classifier, needed to fine-tune it for transfer.</summary>
    public string? CheckpointPath { get; init; }
    public ImageSet? BaseSet { get; init; }
    public IReadOnlyList<NaturalEvalSet> NaturalSets { get; init; } = [];
    /// <summary>Folder of corrupted copies of the base set (<see cref="Corruptions.CorruptedSetCache"/>), made once so
    /// that models evaluated in parallel only read them; null corrupts on the fly.</summary>
    public string? CorruptedSetCacheFolder { get; init; }
    /// <summary>A <see cref="CorruptionReference"/> JSON file with a named reference model's corruption errors, for CE and mCE.</summary>
    public string? CorruptionReferencePath { get; init; }
    public IReadOnlyList<TransferTask> TransferTasks { get; init; } = [];
    /// <summary>The shift being analysed (for dataset, label- and image-quality metrics and the kNN memory bank).</summary>
    public ImageSet? Shift { get; init; }
    /// <summary>The number of images the shift was curated to (its target size); null = its own size.</summary>
    public int? ShiftTargetSize { get; init; }
    /// <summary>Reference images for image quality (the expert baseline in the benchmark).</summary>
    public ImageSet? ReferenceSet { get; init; }
    /// <summary>Eval sets checked for leakage of shift images.</summary>
    public IReadOnlyList<NaturalEvalSet> LeakageSets { get; init; } = [];
    /// <summary>The fixed (self-supervised) encoder for kNN, image quality and label quality.</summary>
    public IImageEncoder? Encoder { get; init; }
    /// <summary>Folder of the embedding cache; null computes embeddings without caching.</summary>
    public string? EmbeddingCacheFolder { get; init; }
    /// <summary>The classifier whose softmax defines the Inception Score (a model trained on the expert shift).</summary>
    public IImageClassifier? ReferenceClassifier { get; init; }
    /// <summary>Per-class accuracy of the expert model on the base set, for the paper's correlations.</summary>
    public IReadOnlyList<double>? ExpertPerClassAccuracy { get; init; }
    /// <summary>Per-class image counts of the expert shift, for the paper's correlations.</summary>
    public IReadOnlyList<int>? ExpertClassCounts { get; init; }
}

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

/// <summary>Settings of the corruption metric.</summary>
/// <param name="Images">Eval images corrupted per corruption and severity (a class-balanced subset of the base set); 0 = all.</param>
/// <param name="Corruptions">Names to run; null = all 15.</param>
/// <param name="ReferenceErrorsPath">A <see cref="CorruptionReference"/> JSON file with a named reference model's errors, for CE and mCE.</param>
public sealed record CorruptionSettings(int Images = 0, IReadOnlyList<string>? Corruptions = null, long Seed = 0,
    string? CacheFolder = null, string? ReferenceErrorsPath = null);

/// <summary>Transfer protocol (paper: plain SGD lr 0.01, x0.1 every 300 steps, 1000 steps, batch 64, 64x64, no augmentation).</summary>
/// <param name="InputSize">Side of the fine-tuning input; 0 = the checkpoint's own input size.</param>
public sealed record TransferSettings(int Steps = 1000, double LearningRate = 0.01, int DecayEvery = 300, double DecayFactor = 0.1,
    int BatchSize = 64, int InputSize = 64, double Momentum = 0, int Seed = 0);

/// <summary>SSL kNN settings: memory-bank sizes (paper: 5 and 10 per class) and k values.</summary>
public sealed record KnnSuiteSettings(IReadOnlyList<int>? ImagesPerClass = null, IReadOnlyList<int>? Ks = null, double Temperature = WeightedKnnClassifier.DefaultTemperature, int Seed = 0)
{
    public IReadOnlyList<int> BankSizes => ImagesPerClass ?? [5, 10];
    public IReadOnlyList<int> EffectiveKs => Ks ?? KnnSettings.DefaultKs;
}

/// <summary>Label- and image-quality settings.</summary>
/// <param name="CrossValidationFolds">Folds of the out-of-sample kNN classifier used for confident learning.</param>
/// <param name="NeighbourK">k of that kNN classifier.</param>
/// <param name="DuplicateThreshold">Cosine at or above which two images are near-duplicates (and a shift image leaks into an eval set).</param>
/// <param name="MaxImages">Cap on images per set for the quadratic image-quality metrics (sampled with <see cref="Seed"/>).</param>
public sealed record QualitySettings(int CrossValidationFolds = 5, int NeighbourK = 20, double DuplicateThreshold = NearDuplicates.DefaultThreshold,
    int MaxImages = 5000, int Seed = 0);

public sealed record EvalSettings
{
    public BootstrapSettings Bootstrap { get; init; } = new();
    public CorruptionSettings Corruption { get; init; } = new();
    public TransferSettings Transfer { get; init; } = new();
    public KnnSuiteSettings Knn { get; init; } = new();
    public QualitySettings Quality { get; init; } = new();
    /// <summary>Nominal images per class for LT@t (paper: 1300 for ImageNet); null = the shift's own N/K.</summary>
    public int? NominalPerClass { get; init; }
}

/// <summary>
/// Everything a suite run can use. Each metric checks that what it needs is present
/// (<see cref="IEvalMetric.Requires"/>): a model metric needs <see cref="Classifier"/>, a shift metric
/// needs <see cref="Shift"/>, and so on.
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
    public IReadOnlyList<TransferTask> TransferTasks { get; init; } = [];
    /// <summary>The shift being analysed (for dataset, label- and image-quality metrics and the kNN memory bank).</summary>
    public ImageSet? Shift { get; init; }
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
    public EvalSettings Settings { get; init; } = new();
}

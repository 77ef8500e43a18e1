using SelectBench.Curation;
using SelectBench.Data;
using SelectBench.Evaluation.Suite;
using SelectBench.Worlds.FashionMnistPlus;

namespace SelectBench.Worlds;

/// <summary>
/// Everything a benchmark run draws from, whichever world supplies it: the built-in FashionMNIST++ world, or
/// a world assembled from data sources (<see cref="SourceWorld"/>, e.g. ImageNet and its eval sets).
/// </summary>
public interface IBenchmarkWorld : IDisposable
{
    /// <summary>The world's content fingerprint (SHA-256 over every stored set's <see cref="Data.ContentFingerprint"/> and the other files that define it).</summary>
    string Fingerprint { get; }
    LabelSet Labels { get; }
    /// <summary>The base eval set (base accuracy, corruptions, SSL kNN queries).</summary>
    ImageSet Test { get; }
    /// <summary>Natural-shift eval sets (each may predict among a class subset).</summary>
    IReadOnlyList<NaturalEvalSet> NaturalSets { get; }
    /// <summary>Every eval set, the base set included: shift images nearly duplicating one of these leak.</summary>
    IReadOnlyList<NaturalEvalSet> LeakageSets { get; }
    IReadOnlyList<TransferTask> TransferTasks { get; }
    /// <summary>Images the fixed encoder is fitted or trained on (an unlabeled pool where there is one).</summary>
    ImageSet EncoderFitSet { get; }
    CurationSources Curation { get; }
}

/// <summary>FashionMNIST++ as a benchmark world: test, then h, hard and rendition as natural sets; encoders fit on the pool.</summary>
public sealed class FashionMnistPlusBenchmarkWorld(FashionMnistPlusWorld world) : IBenchmarkWorld
{
    public FashionMnistPlusWorld World { get; } = world;
    public string Fingerprint => World.Fingerprint;
    public LabelSet Labels => World.Test.LabelSet;
    public ImageSet Test => World.Test;
    public IReadOnlyList<NaturalEvalSet> NaturalSets =>
        World.EvalSets.Where(p => p.Key != "test").Select(p => new NaturalEvalSet(p.Key, p.Value)).ToList();
    public IReadOnlyList<NaturalEvalSet> LeakageSets => World.EvalSets.Select(p => new NaturalEvalSet(p.Key, p.Value)).ToList();
    public IReadOnlyList<TransferTask> TransferTasks => World.TransferTasks;
    public ImageSet EncoderFitSet => World.Pool;
    public CurationSources Curation => World.CurationSources();
    public void Dispose() => World.Dispose();
}

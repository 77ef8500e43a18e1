namespace SelectBench.Curation;

/// <summary>
/// A curation strategy (docs/curation.md): a recipe that builds a shift from the context's sets, encoders
/// and generators under the size budget N. Settings come in through the constructor as a record
/// implementing <see cref="Common.ISettings"/>; the class is registered with
/// <c>[Registered("name", Description = "...", Settings = typeof(...))]</c> (see <see cref="ShiftStrategies"/>).
/// </summary>
public interface IShiftStrategy
{
    /// <summary>The registered name, e.g. "embedding-search".</summary>
    string Name { get; }
    Shift Build(CurationContext context);
}

/// <summary>
/// A strategy with an expensive scoring step of its own (el2n-pruning's short training runs). A benchmark run computes
/// the scores in a job of their own (score/&lt;shift&gt;, docs/running.md), so the scoring run is cached, costed and
/// scheduled like any other job, and the curate job reads them from <see cref="CurationContext.ScoreFolder"/>.
/// </summary>
public interface IScoringStrategy : IShiftStrategy
{
    /// <summary>Computes the scores <see cref="IShiftStrategy.Build"/> needs and stores them in <see cref="CurationContext.ScoreFolder"/>.</summary>
    void Score(CurationContext context);
}

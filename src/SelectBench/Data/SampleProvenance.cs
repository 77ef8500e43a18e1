namespace SelectBench.Data;

/// <summary>
/// Where one sample of a shift came from and what it cost (docs/curation.md). Strategies fill what
/// applies to them; the rest stays null.
/// </summary>
/// <param name="Source">The origin set or strategy, e.g. "fashion-mnist/train", "pool:W", "generator:cvae".</param>
/// <param name="SourceId">The sample's id in its source.</param>
/// <param name="QueryId">The query (image id or class prompt) that selected it, for search strategies.</param>
/// <param name="Similarity">The encoder similarity that selected it.</param>
/// <param name="Votes">Crowd votes as "worker:label;..." for crowd strategies.</param>
/// <param name="GeneratorSeed">The generator's seed, for synthetic images.</param>
/// <param name="TrueLabel">A hidden ground-truth label index, kept only for audits; -1 unknown, -2 not any class of the label set (a distractor).</param>
/// <param name="Cost">This sample's cost in the cost model's unit.</param>
/// <param name="Simulated">True when the sample (or its label) was produced by a simulation of a real process.</param>
/// <param name="Note">Free text, e.g. the prompt used.</param>
public sealed record SampleProvenance(
    string Source,
    string SourceId,
    string? QueryId = null,
    double? Similarity = null,
    string? Votes = null,
    long? GeneratorSeed = null,
    int TrueLabel = -1,
    double Cost = 0,
    bool Simulated = false,
    string? Note = null)
{
    public const int UnknownLabel = -1;
    public const int NotAClass = -2;
}

using SelectBench.Data;

namespace SelectBench.Curation;

/// <summary>One crowd vote: a worker gave an image a label from the SOURCE taxonomy.</summary>
public sealed record CrowdVote(string ImageId, string WorkerId, string SourceLabel);

/// <summary>One row of a schema-mapping table: a source label and the target class it maps to (null = none).</summary>
public sealed record SchemaMappingRow(string SourceLabel, string? TargetLabel);

/// <summary>
/// Crowd-labelled images from another taxonomy (the OI1000 analogue's inputs): the images (their
/// <c>Labels</c> are ignored; hidden truth may sit in provenance), the source taxonomy, the mapping table
/// into the run's label set, and the votes.
/// </summary>
/// <param name="Simulated">True when the votes come from <see cref="Crowd.SimulatedCrowd"/>, not real workers.</param>
public sealed record CrowdAnnotations(
    ImageSet Images,
    IReadOnlyList<string> SourceTaxonomy,
    IReadOnlyList<SchemaMappingRow> Mapping,
    IReadOnlyList<CrowdVote> Votes,
    bool Simulated,
    string Description);

namespace SelectBench.Worlds.FashionMnistPlus;

/// <summary>
/// Where each part of a FashionMNIST++ world lives under its folder. Image sets are <c>ImageSetStore</c>
/// folders (their manifest is written last, so a folder without one is incomplete and is rebuilt).
/// </summary>
public sealed record WorldLayout(string Root)
{
    public const string ManifestFile = "world.json";

    public string Manifest => Path.Combine(Root, ManifestFile);
    public string Expert => Path.Combine(Root, "sets", "E");
    public string GeneratorTraining => Path.Combine(Root, "sets", "G");
    public string HeldOut => Path.Combine(Root, "sets", "H");
    /// <summary>W's real images mixed with glyph distractors; labels are a placeholder, truth is in provenance.</summary>
    public string Pool => Path.Combine(Root, "pool");
    public string Test => Path.Combine(Root, "eval", "test");
    public string Hard => Path.Combine(Root, "eval", "hard");
    public string Rendition => Path.Combine(Root, "eval", "rendition");
    public string ReferenceModels => Path.Combine(Root, "reference-models");
    public string Crowd => Path.Combine(Root, "crowd");
    public string CrowdImages => Path.Combine(Crowd, "images");
    public string CrowdVotes => Path.Combine(Crowd, "votes.csv");
    public string CrowdMapping => Path.Combine(Crowd, "mapping.csv");
    public string CrowdTaxonomy => Path.Combine(Crowd, "taxonomy.txt");
    /// <summary>Written last: the crowd part is complete when it exists.</summary>
    public string CrowdSummary => Path.Combine(Crowd, "crowd.json");
    public string Generator => Path.Combine(Root, "generator");
    public string Transfer(string task, string split) => Path.Combine(Root, "transfer", task, split);
}

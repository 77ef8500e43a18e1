using System.Globalization;
using System.Text;
using System.Text.Json;
using SelectBench.Common;
using SelectBench.Encoders;
using SelectBench.Search;

namespace SelectBench.Curation;

/// <summary>The encoder every strategy and post-step of a curation run embeds with.</summary>
/// <param name="Kind">"pixel-pca": whitened pixel PCA (the fast default for small grey images); "clip": the image tower
/// of an ONNX CLIP pair (<paramref name="Clip"/>), whose text tower then embeds class-query-search's text queries in the
/// same space (the paper's LA1000 txt2img shift).</param>
/// <param name="Components">k, the embedding dimension of pixel PCA.</param>
/// <param name="FitOn">Name of the world set the PCA is fitted on (E: labelled, never a shift's output); its label set is the run's.</param>
/// <param name="Clip">The CLIP pair, for kind "clip".</param>
public sealed record CurationEncoderSettings(string Kind = "pixel-pca", int Components = 64, string FitOn = "E", ClipPairSettings? Clip = null)
{
    public void Validate(string where)
    {
        SettingRules.OneOf(where, "kind", Kind, "pixel-pca", "clip");
        SettingRules.Positive(where, "components", Components);
        SettingRules.NotEmpty(where, "fit_on", FitOn);
        if (Kind == "clip" && Clip == null)
            throw new SelectBenchException($"{where}.clip: kind 'clip' needs the pair: clip: {{ image, text, vocab, merges }} (ONNX towers and CLIP's tokenizer files).");
        Clip?.Validate($"{where}.clip");
    }
}

/// <summary>
/// How a curation run searches its pools for nearest neighbours (docs/curation.md, "Search backends and reproducibility").
/// </summary>
/// <param name="Backend">"auto" (exact up to <paramref name="ExactMaxPool"/> rows, USearch HNSW above), "exact" or "usearch".</param>
/// <param name="ExactMaxPool">Largest pool searched exactly under "auto".</param>
/// <param name="Connectivity">USearch: M, links per node.</param>
/// <param name="ExpansionAdd">USearch: the build's candidate list (sets the graph's quality and most of the build's cost).</param>
/// <param name="ExpansionSearch">USearch: the search's candidate list (query time only).</param>
/// <param name="Storage">USearch: how vectors are stored, "bfloat16", "float32" or "int8" (similarities are rescored from the float32 rows either way).</param>
/// <param name="Threads">USearch: build and search threads; 0 = the job's thread count. A build on 1 thread is reproducible bit for bit.</param>
public sealed record CurationSearchSettings(string Backend = "auto", int ExactMaxPool = 100_000, int Connectivity = 32, int ExpansionAdd = 64,
                                            int ExpansionSearch = 1024, string Storage = "bfloat16", int Threads = 0)
{
    public void Validate(string where)
    {
        SettingRules.OneOf(where, "backend", Backend, "auto", "exact", "usearch");
        if (ExactMaxPool < 0) throw new SelectBenchException($"{where}.exact_max_pool: {ExactMaxPool} is not allowed; give 0 or more rows.");
        if (Connectivity < 2) throw new SelectBenchException($"{where}.connectivity: {Connectivity} is not allowed; give at least 2.");
        SettingRules.Positive(where, "expansion_add", ExpansionAdd);
        SettingRules.Positive(where, "expansion_search", ExpansionSearch);
        SettingRules.OneOf(where, "storage", Storage, "bfloat16", "float32", "int8");
        if (Threads is < 0 or > 1024) throw new SelectBenchException($"{where}.threads: {Threads} is not allowed; give 1..1024, or 0 for the job's thread count.");
    }

    /// <summary>The options <see cref="NearestNeighbourSearch.Create"/> takes.</summary>
    public NearestNeighbourOptions Options() => new(
        Backend switch { "exact" => SearchBackend.Exact, "usearch" => SearchBackend.USearch, _ => SearchBackend.Auto },
        ExactMaxPool,
        new USearchSettings(Connectivity, ExpansionAdd, ExpansionSearch, Threads > 0 ? Threads : null,
            Storage switch { "float32" => USearchStorage.Float32, "int8" => USearchStorage.Int8, _ => USearchStorage.BFloat16 }));
}

/// <summary>
/// A curation config (YAML or JSON; snake_case keys):
/// <code>
/// target_size: 2000          # N, images per shift
/// seed: 0
/// encoder: { kind: pixel-pca, components: 64, fit_on: E }
/// costs: { expert_label: 0.10, crowd_vote: 0.012 }       # CostModel fields; omitted ones keep their defaults
/// post_steps: { leakage_threshold: 0.97, leakage_eval_sets: [test, h] }   # default for shifts without their own
/// search: { backend: auto, exact_max_pool: 100000, connectivity: 32, expansion_add: 64 }   # CurationSearchSettings
/// shifts:
///   expert: { strategy: expert, settings: { source: E } }
///   ...
/// </code>
/// Every key is checked when the config is read: an unknown key, strategy or setting is an error naming it.
/// </summary>
public sealed record CurationConfig(
    int TargetSize, long Seed, CurationEncoderSettings Encoder, CostModel Costs,
    IReadOnlyList<ShiftSpec> Shifts, IReadOnlyDictionary<string, string> ShiftKeys, string CommonKey)
{
    private static readonly string[] TopLevelKeys = ["target_size", "seed", "encoder", "costs", "search", "post_steps", "shifts"];

    /// <summary>How pools are searched (the config's search section; defaults when it has none).</summary>
    public CurationSearchSettings Search { get; init; } = new();

    public static CurationConfig Load(string path, int? targetSize = null)
    {
        if (!File.Exists(path)) throw new BadInputException(path, "the curation config file does not exist; give a YAML file such as configs/curation-quick.yaml.");
        var text = File.ReadAllText(path, Encoding.UTF8);
        var section = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? SettingsBinder.ParseJson(text, path) : SettingsBinder.ParseYaml(text, path);
        return FromSection(section, path, targetSize);
    }

    public static CurationConfig Parse(string yaml, string where = "config", int? targetSize = null) =>
        FromSection(SettingsBinder.ParseYaml(yaml, where), where, targetSize);

    /// <param name="targetSize">Overrides target_size (the CLI's --n).</param>
    public static CurationConfig FromSection(IReadOnlyDictionary<string, object?> root, string where, int? targetSize = null)
    {
        foreach (var key in root.Keys)
            if (!TopLevelKeys.Contains(key))
                throw new SelectBenchException($"{where}: '{key}' is not a curation config key; allowed: {string.Join(", ", TopLevelKeys)}.");
        int n = targetSize ?? (root.TryGetValue("target_size", out var t) ? ParseInt(t, $"{where}: target_size") : 2000);
        SettingRules.Positive(where, "target_size", n);
        long seed = root.TryGetValue("seed", out var s) ? ParseInt(s, $"{where}: seed") : 0;
        var encoder = SettingsBinder.Bind<CurationEncoderSettings>(Mapping(root, "encoder", where), $"{where}: encoder");
        encoder.Validate($"{where}: encoder");
        var costs = SettingsBinder.Bind<CostModel>(Mapping(root, "costs", where), $"{where}: costs");
        costs.Validate($"{where}: costs");
        var search = SettingsBinder.Bind<CurationSearchSettings>(Mapping(root, "search", where), $"{where}: search");
        search.Validate($"{where}: search");
        var defaultPostSteps = root.ContainsKey("post_steps") ? Mapping(root, "post_steps", where) : null;
        var shiftsSection = Mapping(root, "shifts", where);
        if (shiftsSection.Count == 0)
            throw new SelectBenchException($"{where}: shifts is empty; name at least one shift, e.g. 'expert: {{ strategy: expert }}'.");
        var specs = new List<ShiftSpec>();
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in shiftsSection)
        {
            if (value is not IReadOnlyDictionary<string, object?> section)
                throw new SelectBenchException($"{where}: shifts.{name} must be a mapping with 'strategy', 'settings' and optionally 'post_steps'.");
            if (!IsFolderName(name))
                throw new SelectBenchException($"{where}: shifts.{name}: a shift name is used as a folder name; use letters, digits, '-' and '_' only.");
            var merged = new Dictionary<string, object?>(section, StringComparer.Ordinal);
            if (!merged.ContainsKey("post_steps") && defaultPostSteps != null) merged["post_steps"] = defaultPostSteps;
            specs.Add(ShiftSpec.FromSection(name, merged, $"{where}: shifts.{name}"));
            keys[name] = Canonical(merged);
        }
        var commonParts = new Dictionary<string, object?>
        {
            ["target_size"] = n.ToString(CultureInfo.InvariantCulture),
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["encoder"] = JsonSerializer.Serialize(encoder, Json.Options),
            ["costs"] = JsonSerializer.Serialize(costs, Json.Options),
        };
        // Only a config that sets the search changes the key (the search decides membership); without one, shifts
        // cached before the section existed stay valid.
        if (root.ContainsKey("search")) commonParts["search"] = JsonSerializer.Serialize(search, Json.Options);
        return new CurationConfig(n, seed, encoder, costs, specs, keys, Canonical(commonParts)) { Search = search };
    }

    /// <summary>The shifts named in <paramref name="names"/> ("all" or null = every shift), in config order.</summary>
    public IReadOnlyList<ShiftSpec> Select(IReadOnlyList<string>? names)
    {
        if (names == null || names.Count == 0 || names is ["all"]) return Shifts;
        foreach (var name in names)
            if (Shifts.All(s => s.Name != name))
                throw new BadInputException(name, $"no shift of that name in the config; it has {string.Join(", ", Shifts.Select(s => s.Name))} (or use 'all').");
        return Shifts.Where(s => names.Contains(s.Name)).ToList();
    }

    private static IReadOnlyDictionary<string, object?> Mapping(IReadOnlyDictionary<string, object?> root, string key, string where) =>
        !root.TryGetValue(key, out var v) || v == null ? new Dictionary<string, object?>()
            : v as IReadOnlyDictionary<string, object?> ?? throw new SelectBenchException($"{where}: {key} must be a mapping of settings.");

    private static int ParseInt(object? value, string field) =>
        value is string text && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
            : throw new SelectBenchException($"{field}: '{value}' is not allowed; give an integer.");

    private static bool IsFolderName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>A key-sorted JSON rendering of a parsed config section, so equal sections give equal cache keys.</summary>
    internal static string Canonical(object? value)
    {
        var sb = new StringBuilder();
        Write(value);
        return sb.ToString();

        void Write(object? v)
        {
            switch (v)
            {
                case null: sb.Append("null"); break;
                case string s: sb.Append(JsonSerializer.Serialize(s)); break;
                case IReadOnlyDictionary<string, object?> map:
                    sb.Append('{');
                    bool first = true;
                    foreach (var (k, item) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    {
                        if (!first) sb.Append(',');
                        first = false;
                        sb.Append(JsonSerializer.Serialize(k)).Append(':');
                        Write(item);
                    }
                    sb.Append('}');
                    break;
                case IEnumerable<object?> list:
                    sb.Append('[');
                    bool firstItem = true;
                    foreach (var item in list)
                    {
                        if (!firstItem) sb.Append(',');
                        firstItem = false;
                        Write(item);
                    }
                    sb.Append(']');
                    break;
                default: sb.Append(JsonSerializer.Serialize(v.ToString())); break;
            }
        }
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Encoders.SelfSupervised;
using SelectBench.Evaluation.Suite;
using SelectBench.Training;
using SelectBench.Worlds.FashionMnistPlus;
using SelectBench.Statistics;
using SelectBench.Worlds;

namespace SelectBench.Benchmark;

/// <summary>
/// The world of a run: the built-in FashionMNIST++ world built from a profile and a seed (see docs/world.md), or a
/// finished world already on disk (<paramref name="Path"/>: one built by `world fashion-mnist` or imported by
/// `world import`), used where it is instead of building one. A team that benchmarks one shared world points every
/// run at the same imported folder: building from the same profile on two CPUs gives two worlds (their trained
/// parts differ), importing the same archive gives one.
/// </summary>
/// <param name="Path">A world folder; made absolute when the config is loaded.</param>
/// <param name="Fingerprint">With a path: the world's content fingerprint, or a prefix of it (at least 12 hex digits) that
/// the world at the path must have. Filled from the world when the config is loaded, so the run's job keys change
/// exactly when the world does.</param>
public sealed record RunWorldSettings(string Profile = "quick", long Seed = 0, string? Path = null, string? Fingerprint = null)
{
    /// <summary>The profile is a known one (any long is a seed).</summary>
    public void Validate(string where) => SettingRules.OneOf(where, "profile", Profile, [.. FashionMnistPlusSettings.Profiles]);

    public FashionMnistPlusSettings Resolve() => FashionMnistPlusSettings.ForProfile(Profile, Seed);

    /// <summary>Checks a world given by path (it exists and is finished; a pinned fingerprint matches) and fills in the full fingerprint.</summary>
    public RunWorldSettings ResolvePath(IReadOnlyDictionary<string, object?> section, string where)
    {
        if (Path is null)
        {
            if (Fingerprint is not null)
                throw new SelectBenchException($"{where}.fingerprint: pins the world at a path; give world.path too (or remove fingerprint to build the world from profile and seed).");
            return this;
        }
        if (section.ContainsKey("profile") || section.ContainsKey("seed"))
            throw new SelectBenchException($"{where}: give either path (a built or imported world) or profile and seed (build one), not both.");
        var world = Worlds.WorldFolder.Open(Path, $"{where}.path");
        if (Fingerprint is { } pinned && (pinned.Length < Data.ContentFingerprint.ShortLength || !world.Fingerprint.StartsWith(pinned, StringComparison.OrdinalIgnoreCase)))
            throw new SelectBenchException(pinned.Length < Data.ContentFingerprint.ShortLength
                ? $"{where}.fingerprint: '{pinned}' is too short; give at least {Data.ContentFingerprint.ShortLength} hex digits of the world's fingerprint."
                : $"{where}.fingerprint: the world at {world.Path} has fingerprint {world.Fingerprint}, not {pinned}...; point path at the world the config was written for, or update fingerprint.");
        return this with { Path = world.Path, Fingerprint = world.Fingerprint };
    }
}

/// <summary>
/// How the trained models and the shifts are scored (docs/metrics.md): the run's own keys of the <c>evaluation:</c>
/// section (suite, encoder, ssl) and every metric's settings (the section's other keys, read by the metrics whose
/// settings records have those fields: bootstrap, corruption_images, transfer, knn, quality, nominal_per_class, and
/// those of any metric registered later; see <see cref="EvalMetrics"/>).
/// </summary>
/// <param name="Suite">Metrics to run; each metric's scope decides whether it runs on every trained model or once per
/// shift. Default: the default suite (every built-in metric).</param>
/// <param name="Encoder">The fixed encoder of the metrics that read one (SSL kNN, label and image quality): "ssl" trains
/// SimCLR on the unlabeled pool once per run (settings in <see cref="Ssl"/>); otherwise an encoder spec
/// such as "pca:64" (pixel PCA fitted on the pool).</param>
public sealed record RunEvaluationSettings(IReadOnlyList<string>? Suite = null, string Encoder = "ssl", SimClrSettings? Ssl = null)
{
    /// <summary>The keys of the evaluation section read here; every other key belongs to the metrics.</summary>
    public static readonly string[] OwnKeys = ["suite", "encoder", "ssl"];

    public IReadOnlyList<string> Suite { get; init; } = Suite ?? EvalMetrics.DefaultSuite;
    public SimClrSettings Ssl { get; init; } = Ssl ?? new SimClrSettings();

    /// <summary>Checks the run's own keys; the metrics' keys are checked as they bind (<see cref="EvalMetrics.BindSection"/>).</summary>
    public void Validate(string where) => Ssl.Validate($"{where}.ssl");

    /// <summary>
    /// The metrics' keys of the evaluation section, as <see cref="EvalMetrics.BindSection"/> writes them (every
    /// registered metric's settings with defaults filled in); null = every default. A job's settings carry the keys
    /// its metrics read, and reading them back lands here.
    /// </summary>
    [JsonExtensionData]
    public JsonObject? MetricSettings { get; init; }

    /// <summary>The suite's metrics that run on every trained model.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> ModelSuite => EvalMetrics.OfScope(Suite, MetricScope.Model);

    /// <summary>The suite's metrics that run once per shift.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> ShiftSuite => EvalMetrics.OfScope(Suite, MetricScope.Shift);

    /// <summary>A metric's settings record, e.g. <c>Settings&lt;TransferMetricSettings&gt;()</c>.</summary>
    public T Settings<T>() where T : ISettings => EvalMetrics.BindSettings<T>(MetricSettings, "evaluation");

    /// <summary>The metrics of <paramref name="suite"/>, each with its settings from this section.</summary>
    public IReadOnlyList<IEvalMetric> CreateMetrics(IEnumerable<string> suite, string where) =>
        suite.Select(m => EvalMetrics.Create(m, MetricSettings, where)).ToList();

    /// <summary>A copy with a metric's settings edited (the keys it reads; another metric reading a key sees the change too, as in the YAML).</summary>
    public RunEvaluationSettings With<T>(Func<T, T> edit) where T : ISettings =>
        this with { MetricSettings = EvalMetrics.With(AllMetricSettings(), edit(Settings<T>())) };

    /// <summary>Every registered metric's keys with their values (defaults where the section has none).</summary>
    public JsonObject AllMetricSettings() =>
        EvalMetrics.BindSection(MetricSettings is null ? new Dictionary<string, object?>()
            : SettingsBinder.ParseJson(MetricSettings.ToJsonString(), "evaluation"), "evaluation", OwnKeys);

    /// <summary>Binds the evaluation section of a run config; an unknown key or a bad value is an error naming it.</summary>
    public static RunEvaluationSettings FromSection(IReadOnlyDictionary<string, object?> section, string where)
    {
        var own = section.Where(kv => OwnKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var metrics = section.Where(kv => !OwnKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var evaluation = SettingsBinder.Bind<RunEvaluationSettings>(own, where);
        evaluation.Validate(where);
        foreach (var metric in evaluation.Suite)
            if (!EvalMetrics.Registry.Contains(metric))
            {
                var hint = Suggest.Nearest(metric, EvalMetrics.Names) is { } near ? $"did you mean '{near}'? " : "";
                throw new SelectBenchException($"{where}.suite: '{metric}' is not a metric; {hint}known: {string.Join(", ", EvalMetrics.Names)}.");
            }
        // A CLIP pair in the config is a request for the CLIP metrics: the default suite gains them (an explicit suite is kept as given).
        if (!own.ContainsKey("suite") && metrics.TryGetValue("clip", out var clip) && clip != null)
            evaluation = evaluation with { Suite = [.. evaluation.Suite, ClipMetric.Name] };
        return evaluation with { MetricSettings = EvalMetrics.BindSection(metrics, where, OwnKeys) };
    }
}

/// <summary>Where the jobs run: the executor (<see cref="Running.Executors"/>) and the settings of every kind side by side, so that
/// `run --executor slurm` switches a local config without an edit; each kind reads its own fields.</summary>
/// <param name="Kind">A registered executor: "local" (jobs in parallel on this machine, each in a child process of its own, so a
/// native crash ends only that job, which is retried once), "local-threads" (the same, each job a thread of the run's process:
/// no process start, for debugging; a native crash ends the run) or "slurm" (sbatch job arrays). "in-process", the
/// old name of local, is read as local.</param>
/// <param name="Parallel">Local: jobs at once; 0 = one per core. Each gets cores / parallel threads.</param>
/// <param name="Partition">Slurm partition; null = the cluster default.</param>
/// <param name="CpusPerTask">Slurm --cpus-per-task, also the job's thread count.</param>
/// <param name="TimeLimit">Slurm --time per task (e.g. "02:00:00").</param>
/// <param name="Gpus">Slurm GPUs per task (--gres=gpu:N); 0 = none. Pair with training.device: cuda.</param>
public sealed record RunExecutorSettings(string Kind = Running.Executors.Local, int Parallel = 0, string? Partition = null, int CpusPerTask = 2,
    string TimeLimit = "04:00:00", int Gpus = 0, string? Account = null)
{
    public void Validate(string where)
    {
        if (Parallel < 0) throw new SelectBenchException($"{where}.parallel: {Parallel} is not allowed; give 0 (one job per core) or more.");
        SettingRules.Positive(where, "cpus_per_task", CpusPerTask);
        if (Gpus < 0) throw new SelectBenchException($"{where}.gpus: {Gpus} is not allowed; give 0 (none) or more.");
    }

    /// <summary>The kind's registered name (an old name such as "in-process" resolves); an unknown kind is an error naming <paramref name="where"/>.</summary>
    public static string ResolveKind(string kind, string where) => Running.Executors.Resolve(kind, where);
}

/// <summary>
/// A benchmark run (`selectbench run --config FILE`), YAML with snake_case keys. Every key is checked on
/// load: an unknown key or a bad value is an error naming the field. See configs/run-*.yaml and docs/running.md.
/// </summary>
/// <param name="Name">Names the run in the report.</param>
/// <param name="World">The FashionMNIST++ world that supplies every set the shifts draw from and are scored on
/// (unless the config gives `data:`, see <see cref="Data"/>).</param>
/// <param name="Curation">The shifts: the same keys as a curation config (configs/curation-quick.yaml).</param>
/// <param name="Training">The recipe every shift gets (TrainingRecipe fields; the seed is set per run seed).</param>
/// <param name="Seeds">Training seeds; each shift is trained once per seed.</param>
/// <param name="ExpertFractions">Fractions of the expert shift trained with the same recipe for the
/// expert-equivalent-size curve (1 is the expert shift itself); empty = skip.</param>
/// <param name="ReferenceShift">The shift every other is compared with (paired test) and whose fractions form the curve.</param>
public sealed record RunConfig(
    string Name,
    RunWorldSettings World,
    CurationConfig Curation,
    TrainingRecipe Training,
    IReadOnlyList<int> Seeds,
    IReadOnlyList<double> ExpertFractions,
    RunEvaluationSettings Evaluation,
    RunExecutorSettings Executor,
    string ReferenceShift,
    string? Profile,
    string Hash,
    IReadOnlyDictionary<string, object?> CurationSection)
{
    /// <summary>A world made of data sources (config `data:`); when set, <see cref="World"/> is not used.</summary>
    public SourceWorldSettings? Data { get; init; }

    private static readonly string[] TopLevelKeys =
        ["name", "world", "data", "curation", "training", "seeds", "expert_fractions", "evaluation", "executor", "reference_shift"];

    public static RunConfig Load(string path)
    {
        if (!File.Exists(path))
            throw new BadInputException(path, "the run config does not exist; give a YAML file such as configs/run-quick.yaml, or use --profile quick.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Parse(File.ReadAllText(path, Encoding.UTF8), path, profile: null,
            include: name => File.Exists(Path.Combine(folder, name)) ? File.ReadAllText(Path.Combine(folder, name), Encoding.UTF8) : RunProfiles.ReadBuiltIn(name));
    }

    /// <param name="where">Names the config in error messages (its path or "profile quick").</param>
    /// <param name="include">Reads a file named by 'curation: { config: FILE }'; null when there is none.</param>
    public static RunConfig Parse(string yaml, string where, string? profile = null, Func<string, string?>? include = null)
    {
        var root = new Dictionary<string, object?>(SettingsBinder.ParseYaml(yaml, where), StringComparer.Ordinal);
        if (root.TryGetValue("curation", out var cur) && cur is IReadOnlyDictionary<string, object?> curSection && curSection.ContainsKey("config"))
            root["curation"] = IncludeCuration(curSection, where, include ?? RunProfiles.ReadBuiltIn);
        foreach (var key in root.Keys)
            if (!TopLevelKeys.Contains(key))
                throw new SelectBenchException($"{where}: '{key}' is not a run config key; allowed: {string.Join(", ", TopLevelKeys)}.");
        string name = root.TryGetValue("name", out var n) && n is string s && s.Length > 0 ? s
            : throw new SelectBenchException($"{where}: name is missing; give the run a name, e.g. 'name: my-benchmark'.");
        var worldSection = Section(root, "world", where);
        var world = SettingsBinder.Bind<RunWorldSettings>(worldSection, $"{where}: world");
        world.Validate($"{where}: world");
        world = world.ResolvePath(worldSection, $"{where}: world");
        SourceWorldSettings? data = null;
        if (root.ContainsKey("data"))
        {
            if (root.ContainsKey("world"))
                throw new SelectBenchException($"{where}: give either world (the built-in FashionMNIST++) or data (your own sources), not both.");
            data = SourceWorldSettings.FromSection(Section(root, "data", where), $"{where}: data");
        }
        var curation = CurationConfig.FromSection(Section(root, "curation", where), $"{where}: curation");
        var training = SettingsBinder.Bind<TrainingRecipe>(Section(root, "training", where), $"{where}: training");
        try
        {
            training.Validate();
        }
        catch (SelectBenchException e)
        {
            throw new SelectBenchException($"{where}: training: {e.Message}", e);
        }
        var seeds = root.TryGetValue("seeds", out var sv)
            ? (int[])SettingsBinder.Bind<SeedList>(new Dictionary<string, object?> { ["seeds"] = sv }, where).Seeds
            : [0];
        if (seeds.Length == 0) throw new SelectBenchException($"{where}: seeds is empty; give at least one training seed.");
        if (seeds.Distinct().Count() != seeds.Length) throw new SelectBenchException($"{where}: seeds repeats a seed; give distinct seeds.");
        var fractions = root.TryGetValue("expert_fractions", out var fv)
            ? SettingsBinder.Bind<FractionList>(new Dictionary<string, object?> { ["expert_fractions"] = fv }, where).ExpertFractions
            : [];
        foreach (var f in fractions)
            if (!(f > 0 && f < 1))
                throw new SelectBenchException($"{where}: expert_fractions: {f} is not allowed; give fractions in (0, 1) (the whole expert shift is always trained).");
        var evaluation = RunEvaluationSettings.FromSection(Section(root, "evaluation", where), $"{where}: evaluation");
        BenchmarkPlan.CheckSuite(evaluation, $"{where}: evaluation.suite");
        var executor = SettingsBinder.Bind<RunExecutorSettings>(Section(root, "executor", where), $"{where}: executor");
        executor = executor with { Kind = RunExecutorSettings.ResolveKind(executor.Kind, $"{where}: executor.kind") };
        executor.Validate($"{where}: executor");
        var reference = root.TryGetValue("reference_shift", out var r) && r is string rs ? rs : "expert";
        if (curation.Shifts.All(x => x.Name != reference))
            throw new SelectBenchException($"{where}: reference_shift '{reference}' is not one of the shifts ({string.Join(", ", curation.Shifts.Select(x => x.Name))}).");
        if (fractions.Length > 0 && curation.Shifts.First(x => x.Name == reference).Strategy != "expert")
            throw new SelectBenchException($"{where}: expert_fractions needs reference_shift to be an expert shift; '{reference}' uses strategy '{curation.Shifts.First(x => x.Name == reference).Strategy}'.");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CurationConfig.Canonical(root))))[..12];
        return new RunConfig(name, world, curation, training, seeds, [.. fractions.Order()], evaluation, executor, reference, profile, hash,
            Section(root, "curation", where))
        { Data = data };
    }

    /// <summary>
    /// The curation section with only <paramref name="shift"/> under 'shifts', as JSON: the settings of that
    /// shift's curate job, so editing one shift reruns only its own jobs.
    /// </summary>
    public string CurationJson(string shift)
    {
        var section = new Dictionary<string, object?>(CurationSection, StringComparer.Ordinal);
        var shifts = (IReadOnlyDictionary<string, object?>)section["shifts"]!;
        section["shifts"] = new Dictionary<string, object?> { [shift] = shifts[shift] };
        return ToJson(section)!.ToJsonString();
    }

    private static System.Text.Json.Nodes.JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => System.Text.Json.Nodes.JsonValue.Create(s),
        IReadOnlyDictionary<string, object?> map => new System.Text.Json.Nodes.JsonObject(
            map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value)))),
        IEnumerable<object?> list => new System.Text.Json.Nodes.JsonArray(list.Select(ToJson).ToArray()),
        _ => System.Text.Json.Nodes.JsonValue.Create(value.ToString()),
    };

    /// <summary>'curation: { config: FILE, KEY: VALUE }' reads FILE's curation config and replaces its top-level KEYs.</summary>
    private static Dictionary<string, object?> IncludeCuration(IReadOnlyDictionary<string, object?> section, string where,
        Func<string, string?> include)
    {
        var name = section["config"] as string
                   ?? throw new SelectBenchException($"{where}: curation.config must name a curation config file, e.g. curation-quick.yaml.");
        var text = include(name)
                   ?? throw new BadInputException(name, $"{where}: curation.config names a file that is neither next to the run config nor built in ({string.Join(", ", RunProfiles.BuiltInFiles)}).");
        var merged = new Dictionary<string, object?>(SettingsBinder.ParseYaml(text, name), StringComparer.Ordinal);
        foreach (var (key, value) in section)
            if (key != "config") merged[key] = value;
        return merged;
    }

    private sealed record SeedList(int[] Seeds);

    private sealed record FractionList(double[] ExpertFractions);

    private static IReadOnlyDictionary<string, object?> Section(IReadOnlyDictionary<string, object?> root, string key, string where) =>
        !root.TryGetValue(key, out var v) || v == null ? new Dictionary<string, object?>()
            : v as IReadOnlyDictionary<string, object?> ?? throw new SelectBenchException($"{where}: {key} must be a mapping of settings.");
}

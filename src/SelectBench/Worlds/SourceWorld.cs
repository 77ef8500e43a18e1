using System.Globalization;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Curation.Generators;
using SelectBench.Data;
using SelectBench.Evaluation.Suite;

namespace SelectBench.Worlds;

/// <summary>A natural eval set of a data-source world.</summary>
/// <param name="PresentClassesOnly">Predict only among the classes the set contains (the ImageNet-R/A convention).</param>
public sealed record SourceEvalSet(string Source, bool PresentClassesOnly = true);

public sealed record SourceTransferTask(string Train, string Test);

/// <summary>
/// The `data:` section of a run config: a world assembled from data sources (any DataSources spec: ImageFolder,
/// WebDataset shards, parquet, IDX, CIFAR, a saved image set). The label set is the test set's; every other
/// labelled source is read against it, so class folders map by name.
/// </summary>
/// <param name="Test">The base eval set (e.g. ImageNet val as an ImageFolder of wnid folders).</param>
/// <param name="Sets">Curation inputs by name (the expert reservoir "E", a web pool "pool", ...).</param>
/// <param name="EvalSets">Natural-shift eval sets by name.</param>
/// <param name="Transfer">Transfer tasks by name, each with its own label set.</param>
/// <param name="EncoderFit">The set (a name in Sets) the fixed encoder is fitted or trained on.</param>
/// <param name="ImageSize">Resize every image to this square side (0 = keep; all images must then share one size).</param>
/// <param name="Channels">1 (grey) or 3 (RGB).</param>
/// <param name="OnBadInput">"fail" or "skip" corrupt images (skipped files are listed in the world's manifest).</param>
/// <param name="InMemoryLimitMb">A set whose decoded pixels exceed this many MiB is kept out-of-core in a sharded store
/// (where its source can stream: WebDataset shards with an image_size); docs/data.md "Out-of-core sets".</param>
public sealed record SourceWorldSettings(
    string Test,
    IReadOnlyDictionary<string, string> Sets,
    IReadOnlyDictionary<string, SourceEvalSet> EvalSets,
    IReadOnlyDictionary<string, SourceTransferTask> Transfer,
    string EncoderFit,
    int ImageSize = 0,
    int Channels = 3,
    string OnBadInput = "fail",
    int InMemoryLimitMb = (int)(DataLoadOptions.DefaultInMemoryLimit >> 20))
{
    private static readonly string[] Keys = ["test", "sets", "eval_sets", "transfer", "encoder_fit", "image_size", "channels", "on_bad_input", "in_memory_limit_mb"];

    public static SourceWorldSettings FromSection(IReadOnlyDictionary<string, object?> section, string where)
    {
        foreach (var key in section.Keys)
            if (!Keys.Contains(key)) throw new SelectBenchException($"{where}.{key}: unknown setting; allowed: {string.Join(", ", Keys)}.");
        string Text(string key, string? fallback = null) =>
            section.TryGetValue(key, out var v) && v is string s && s.Length > 0 ? s
            : fallback ?? throw new SelectBenchException($"{where}.{key}: required; give a data source (a path or a name such as fashion-mnist:test).");
        int Int(string key, int fallback) =>
            !section.TryGetValue(key, out var v) ? fallback
            : v is string s && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i >= 0 ? i
            : throw new SelectBenchException($"{where}.{key}: '{v}' is not allowed; give a whole number >= 0.");
        IReadOnlyDictionary<string, object?> Map(string key) =>
            !section.TryGetValue(key, out var v) || v is null ? new Dictionary<string, object?>()
            : v as IReadOnlyDictionary<string, object?> ?? throw new SelectBenchException($"{where}.{key} must be a mapping of names to sources.");

        var sets = Map("sets").ToDictionary(p => p.Key, p => p.Value as string
            ?? throw new SelectBenchException($"{where}.sets.{p.Key}: give a data source."));
        if (sets.Count == 0) throw new SelectBenchException($"{where}.sets: name at least one curation input, e.g. 'E: /data/imagenet/train'.");
        var evalSets = Map("eval_sets").ToDictionary(p => p.Key, p => p.Value switch
        {
            string source => new SourceEvalSet(source),
            IReadOnlyDictionary<string, object?> m => SettingsBinder.Bind<SourceEvalSet>(m, $"{where}.eval_sets.{p.Key}"),
            _ => throw new SelectBenchException($"{where}.eval_sets.{p.Key}: give a source or {{ source: ..., present_classes_only: true }}."),
        });
        var transfer = Map("transfer").ToDictionary(p => p.Key, p => p.Value is IReadOnlyDictionary<string, object?> m
            ? SettingsBinder.Bind<SourceTransferTask>(m, $"{where}.transfer.{p.Key}")
            : throw new SelectBenchException($"{where}.transfer.{p.Key}: give {{ train: SOURCE, test: SOURCE }}."));
        var fit = Text("encoder_fit", sets.Keys.First());
        if (!sets.ContainsKey(fit)) throw new SelectBenchException($"{where}.encoder_fit: '{fit}' is not one of sets ({string.Join(", ", sets.Keys)}).");
        var settings = new SourceWorldSettings(Text("test"), sets, evalSets, transfer, fit, Int("image_size", 0), Int("channels", 3),
            Text("on_bad_input", "fail"), Int("in_memory_limit_mb", (int)(DataLoadOptions.DefaultInMemoryLimit >> 20)));
        if (settings.InMemoryLimitMb < 1)
            throw new SelectBenchException($"{where}.in_memory_limit_mb: {settings.InMemoryLimitMb}; give at least 1 (MiB of decoded pixels a set may hold in memory).");
        if (settings.Channels is not (1 or 3)) throw new SelectBenchException($"{where}.channels: {settings.Channels}; use 1 (grey) or 3 (RGB).");
        SettingRules.OneOf(where, "on_bad_input", settings.OnBadInput, "fail", "skip");
        foreach (var name in sets.Keys.Concat(evalSets.Keys).Concat(transfer.Keys))
            if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                throw new SelectBenchException($"{where}: '{name}' is used as a folder name; use letters, digits, '-' and '_' only.");
        return settings;
    }
}

/// <summary>
/// A world made of data sources: the `world` job reads every source once (resizing, mapping labels) into
/// SelectBench image-set folders, so later jobs load raw arrays instead of decoding images again.
/// <code>
/// &lt;folder&gt;/test, sets/&lt;name&gt;, eval/&lt;name&gt;, transfer/&lt;name&gt;/{train,test}, source-world.json
/// </code>
/// </summary>
public sealed class SourceWorld : IBenchmarkWorld
{
    private const string ManifestFile = "source-world.json";

    /// <param name="Fingerprint">The world's content fingerprint: <see cref="ContentFingerprint.Combine"/> over <paramref name="Members"/>.</param>
    /// <param name="Members">Each stored set's <see cref="ContentFingerprint"/>: "test", "sets/E", "eval/NAME", "transfer/NAME/train".</param>
    private sealed record Manifest(SourceWorldSettings Settings, string? Fingerprint, IReadOnlyDictionary<string, int> Counts,
        IReadOnlyList<string> Skipped, IReadOnlyDictionary<string, string>? Members = null);

    private readonly SourceWorldSettings _settings;
    private readonly Dictionary<string, ImageSet> _sets;

    public string Fingerprint { get; }
    public LabelSet Labels => Test.LabelSet;
    public ImageSet Test { get; }
    public IReadOnlyList<NaturalEvalSet> NaturalSets { get; }
    public IReadOnlyList<NaturalEvalSet> LeakageSets => [new NaturalEvalSet("test", Test), .. NaturalSets];
    public IReadOnlyList<TransferTask> TransferTasks { get; }
    public ImageSet EncoderFitSet => _sets[_settings.EncoderFit];

    public CurationSources Curation
    {
        get
        {
            var sets = new Dictionary<string, ImageSet>(_sets, StringComparer.Ordinal) { ["test"] = Test };
            foreach (var set in NaturalSets) sets.TryAdd(set.Name, set.Images);
            if (_sets.TryGetValue("E", out var expert)) sets.TryAdd("baseline", expert);
            return new CurationSources(sets, new Dictionary<string, CrowdAnnotations>(),
                new Dictionary<string, IImageGenerator>(), Fingerprint, "data sources");
        }
    }

    private SourceWorld(SourceWorldSettings settings, string fingerprint, ImageSet test, Dictionary<string, ImageSet> sets,
        IReadOnlyList<NaturalEvalSet> natural, IReadOnlyList<TransferTask> transfer)
    {
        _settings = settings;
        Fingerprint = fingerprint;
        Test = test;
        _sets = sets;
        NaturalSets = natural;
        TransferTasks = transfer;
    }

    /// <summary>Reads every source into <paramref name="folder"/>; a set already saved there is kept (a killed build resumes).</summary>
    public static SourceWorld Build(SourceWorldSettings settings, string folder, Action<string> log)
    {
        Directory.CreateDirectory(folder);
        var skipped = new List<string>();
        var transform = settings.ImageSize > 0 ? ImageTransform.Resize(settings.ImageSize, settings.Channels) : ImageTransform.AsIs with { Channels = settings.Channels };
        DataLoadOptions Options(LabelSet? labels) => new(
            OnBadInput: settings.OnBadInput == "skip" ? BadInputPolicy.Skip : BadInputPolicy.Fail, Transform: transform, LabelSet: labels,
            InMemoryLimit: (long)settings.InMemoryLimitMb << 20);

        ImageSet Read(string name, string source, LabelSet? labels, string target)
        {
            if (ImageSetStore.Exists(target)) return ImageSetStore.Load(target);
            log($"{name}: reading {source}");
            var result = DataSources.Load(source, Options(labels));
            skipped.AddRange(result.Skipped.Select(s => $"{name}: {s}"));
            if (result.Images.Count == 0) throw new BadInputException(source, $"data.{name} has no images; check the path.");
            var images = labels is null ? result.Images : result.Images.MapLabelsInto(labels, $"data.{name} ({source})");
            // The world holds its out-of-core sets' stores (hard links into the data cache), so it survives a cleaned
            // cache and WorldArchive export/import.
            images = ImageSetStore.SaveWithStore(images, target, $"{name} of a data-source world, from {source}");
            log($"{name}: {images.Count:N0} images, {images.ClassCounts().Count(c => c > 0)} classes");
            return images;
        }

        var test = Read("test", settings.Test, null, Path.Combine(folder, "test"));
        foreach (var (name, source) in settings.Sets) Read($"sets.{name}", source, test.LabelSet, Path.Combine(folder, "sets", name));
        foreach (var (name, set) in settings.EvalSets) Read($"eval_sets.{name}", set.Source, test.LabelSet, Path.Combine(folder, "eval", name));
        foreach (var (name, task) in settings.Transfer)
        {
            var train = Read($"transfer.{name}.train", task.Train, null, Path.Combine(folder, "transfer", name, "train"));
            Read($"transfer.{name}.test", task.Test, train.LabelSet, Path.Combine(folder, "transfer", name, "test"));
        }
        var world = Open(settings, folder, fingerprint: "");
        var members = Members(world);
        AtomicFile.WriteJson(Path.Combine(folder, ManifestFile), new Manifest(settings, ContentFingerprint.Combine("world", members),
            new Dictionary<string, int> { ["test"] = world.Test.Count }.Concat(world._sets.Select(p => KeyValuePair.Create(p.Key, p.Value.Count)))
                .ToDictionary(p => p.Key, p => p.Value), skipped, members));
        return Load(folder);
    }

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, ManifestFile));

    /// <summary>The fingerprint source-world.json records; null when there is none.</summary>
    public static string? RecordedFingerprint(string folder) =>
        Exists(folder) ? Json.Read<Manifest>(Path.Combine(folder, ManifestFile)).Fingerprint : null;

    /// <summary>The top-level entries of the folder that belong to the world.</summary>
    public static readonly string[] FolderEntries = [ManifestFile, "test", "sets", "eval", "transfer"];

    public static SourceWorld Load(string folder)
    {
        if (!Exists(folder)) throw new SelectBenchException($"{folder}: no {ManifestFile}; the data-source world was not built (rerun `selectbench run`).");
        var manifest = Json.Read<Manifest>(Path.Combine(folder, ManifestFile));
        if (manifest.Fingerprint is null)
            throw new BadInputException(folder, $"the data-source world was built by an older SelectBench and has no content fingerprint; delete {ManifestFile} and rerun `selectbench run` (the sets already read are kept).");
        return Open(manifest.Settings, folder, manifest.Fingerprint);
    }

    private static SourceWorld Open(SourceWorldSettings settings, string folder, string fingerprint)
    {
        var test = ImageSetStore.Load(Path.Combine(folder, "test"));
        var sets = settings.Sets.Keys.ToDictionary(n => n, n => ImageSetStore.Load(Path.Combine(folder, "sets", n)), StringComparer.Ordinal);
        var natural = settings.EvalSets.Select(p =>
        {
            var images = ImageSetStore.Load(Path.Combine(folder, "eval", p.Key));
            var present = images.ClassCounts().Select((c, i) => (c, i)).Where(x => x.c > 0).Select(x => x.i).ToArray();
            bool restrict = p.Value.PresentClassesOnly && present.Length < test.LabelSet.Count;
            return new NaturalEvalSet(p.Key, images, restrict ? present : null);
        }).ToList();
        var transfer = settings.Transfer.Keys.Select(n => new TransferTask(n,
            ImageSetStore.Load(Path.Combine(folder, "transfer", n, "train")), ImageSetStore.Load(Path.Combine(folder, "transfer", n, "test")))).ToList();
        return new SourceWorld(settings, fingerprint, test, sets, natural, transfer);
    }

    /// <summary>Recomputes the world's fingerprint from the sets in <paramref name="folder"/> (what an imported world is checked against).</summary>
    public static string ComputeFingerprint(string folder)
    {
        var manifest = Json.Read<Manifest>(Path.Combine(folder, ManifestFile));
        return ContentFingerprint.Combine("world", Members(Open(manifest.Settings, folder, fingerprint: "")));
    }

    private static Dictionary<string, string> Members(SourceWorld world)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal) { ["test"] = ContentFingerprint.Of(world.Test) };
        foreach (var (name, set) in world._sets) members[$"sets/{name}"] = ContentFingerprint.Of(set);
        foreach (var set in world.NaturalSets) members[$"eval/{set.Name}"] = ContentFingerprint.Of(set.Images);
        foreach (var task in world.TransferTasks)
        {
            members[$"transfer/{task.Name}/train"] = ContentFingerprint.Of(task.Train);
            members[$"transfer/{task.Name}/test"] = ContentFingerprint.Of(task.Test);
        }
        return members;
    }

    public void Dispose() { }
}

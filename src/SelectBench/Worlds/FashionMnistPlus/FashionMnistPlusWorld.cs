using System.Diagnostics;
using System.Text;
using System.Text.Json;
using SelectBench.Common;
using SelectBench.Evaluation.Suite;
using SelectBench.Curation;
using SelectBench.Curation.Crowd;
using SelectBench.Curation.Generators;
using SelectBench.Data;

namespace SelectBench.Worlds.FashionMnistPlus;

/// <summary>One built part of the world, as recorded in world.json.</summary>
/// <param name="Counts">Images per stored set of this part (e.g. "E" -> 20000).</param>
/// <param name="Fingerprints">The <see cref="ContentFingerprint"/> of each stored set or file of the part (the world's fingerprint combines them).</param>
/// <param name="Seconds">Wall time of the build that made it.</param>
/// <param name="Simulated">True when the part is a simulation of a real process (distractors, crowd, generator, rendition, glyphs).</param>
public sealed record WorldPartRecord(
    IReadOnlyDictionary<string, int> Counts, IReadOnlyDictionary<string, string> Fingerprints,
    double Seconds, bool Simulated, string Description);

/// <summary>world.json: the settings, every part, and the fingerprint that identifies the world's content.</summary>
/// <param name="Fingerprint">The world's content fingerprint (<see cref="FashionMnistPlusWorld.Fingerprint"/>); null until the build completes.</param>
public sealed record WorldManifest(
    int FormatVersion, string World, FashionMnistPlusSettings Settings,
    IReadOnlyDictionary<string, WorldPartRecord> Parts, bool Complete, string? Fingerprint, DateTime UpdatedUtc);

/// <summary>
/// The FashionMNIST++ world (docs/world.md), built once into a folder and loaded as typed sets:
/// E/G/W/H partition of Fashion-MNIST train, the pool W mixed with glyph distractors (labels hidden), a simulated
/// crowd voting in another taxonomy over W's real images, a conditional VAE trained on G, eval sets (test, H,
/// adversarially filtered hard set, edge-map rendition) and three transfer tasks. <see cref="Build"/> skips every
/// part already present, so a rerun is instant and a killed build resumes.
/// </summary>
public sealed class FashionMnistPlusWorld : IDisposable
{
    /// <summary>2: parts carry <see cref="ContentFingerprint"/>s and world.json the world's fingerprint (1: pixel hashes and a content hash with the settings).</summary>
    public const int FormatVersion = 2;
    public const string WorldName = "fashion-mnist-plus";
    public static readonly string[] PartNames = ["partition", "eval", "crowd", "generator", "hard", "transfer"];
    public static readonly string[] TransferTaskNames = ["coarse-categories", "rotation", "glyph-letters"];

    public string Folder { get; }
    public WorldManifest Manifest { get; }
    public FashionMnistPlusSettings Settings => Manifest.Settings;
    /// <summary>
    /// The world's content fingerprint: <see cref="ContentFingerprint.Combine"/> over every part's members ("partition/E",
    /// "crowd/votes", "generator/weights", ...), i.e. the images, labels and class names of every stored set, the crowd's
    /// files and the generator's weights. The settings are not in it: two folders with the same content are the same
    /// world. The reference models are not either: they are build tools whose output, the hard set, is.
    /// </summary>
    public string Fingerprint => Manifest.Fingerprint!;

    /// <summary>E: expert reservoir, true labels.</summary>
    public ImageSet Expert { get; }
    /// <summary>G: the generator's training data.</summary>
    public ImageSet GeneratorTraining { get; }
    /// <summary>W mixed with distractors. Labels are <see cref="WorldPartition.HiddenLabel"/> placeholders that no
    /// strategy may read; the truth (-2 for distractors) is in Provenance.TrueLabel, for audits only.</summary>
    public ImageSet Pool { get; }
    /// <summary>H: the held-out fresh sample ("V2-like" eval set).</summary>
    public ImageSet HeldOut { get; }
    public ImageSet Test { get; }
    public ImageSet Hard { get; }
    public ImageSet Rendition { get; }
    /// <summary>SIMULATED crowd votes over W's real images, in another taxonomy.</summary>
    public CrowdAnnotations Crowd { get; }
    /// <summary>The built-in class-conditional VAE trained on G (a SIMULATED text-to-image model).</summary>
    public ConditionalVaeGenerator Generator { get; }
    public IReadOnlyList<TransferTask> TransferTasks { get; }

    /// <summary>The eval sets by name: test, h, hard, rendition.</summary>
    public IReadOnlyDictionary<string, ImageSet> EvalSets => new Dictionary<string, ImageSet>
    {
        ["test"] = Test,
        ["h"] = HeldOut,
        ["hard"] = Hard,
        ["rendition"] = Rendition,
    };

    private FashionMnistPlusWorld(string folder, WorldManifest manifest, ImageSet expert, ImageSet generatorTraining, ImageSet pool,
                                  ImageSet heldOut, ImageSet test, ImageSet hard, ImageSet rendition, CrowdAnnotations crowd,
                                  ConditionalVaeGenerator generator, IReadOnlyList<TransferTask> transferTasks)
    {
        Folder = folder;
        Manifest = manifest;
        Expert = expert;
        GeneratorTraining = generatorTraining;
        Pool = pool;
        HeldOut = heldOut;
        Test = test;
        Hard = hard;
        Rendition = rendition;
        Crowd = crowd;
        Generator = generator;
        TransferTasks = transferTasks;
    }

    /// <summary>
    /// Builds every missing part into <paramref name="folder"/> and loads the world. A folder built with other
    /// settings is refused (name another folder or delete it). <paramref name="log"/> receives one line per part.
    /// </summary>
    public static FashionMnistPlusWorld Build(FashionMnistPlusSettings settings, string folder, Action<string>? log = null,
                                              string? fashionMnistFolder = null)
    {
        settings.Validate();
        log ??= _ => { };
        var layout = new WorldLayout(Path.GetFullPath(folder));
        Directory.CreateDirectory(layout.Root);
        var parts = new Dictionary<string, WorldPartRecord>();
        if (File.Exists(layout.Manifest))
        {
            var old = Json.Read<WorldManifest>(layout.Manifest);
            if (SettingsJson(old.Settings) != SettingsJson(settings))
                throw new SelectBenchException(
                    $"{layout.Root} holds a FashionMNIST++ world built with other settings (profile {old.Settings.Profile}, seed {old.Settings.Seed}); " +
                    $"give another --out, or delete the folder to rebuild it with profile {settings.Profile}, seed {settings.Seed}.");
            // A part recorded by an older format keeps its files; only its fingerprints are recomputed, from those files.
            foreach (var (name, record) in old.Parts)
                parts[name] = old.FormatVersion == FormatVersion || !PartPresent(name, layout) ? record
                    : record with { Fingerprints = PartFingerprints(name, layout) };
        }
        var sources = new SourceData(settings, fashionMnistFolder);
        void Save(bool complete) => AtomicFile.WriteJson(layout.Manifest, new WorldManifest(FormatVersion, WorldName, settings, parts,
            complete, complete ? Combine(parts) : null, DateTime.UtcNow));
        foreach (var part in PartNames)
        {
            if (PartPresent(part, layout) && parts.ContainsKey(part))
            {
                log($"{part}: present, skipped");
                continue;
            }
            var clock = Stopwatch.StartNew();
            var record = BuildPart(part, layout, settings, sources, log);
            // Fingerprinted from what was written, by the same code that checks an imported world.
            parts[part] = record with { Seconds = Math.Round(clock.Elapsed.TotalSeconds, 2), Fingerprints = PartFingerprints(part, layout) };
            log($"{part}: built in {clock.Elapsed.TotalSeconds:F1} s ({string.Join(", ", record.Counts.Select(kv => $"{kv.Key} {kv.Value:N0}"))})");
            Save(complete: false);
        }
        Save(complete: true);
        return Load(layout.Root);
    }

    /// <summary>Loads a finished world. A missing or unfinished folder is an error that says how to build it.</summary>
    public static FashionMnistPlusWorld Load(string folder)
    {
        var layout = new WorldLayout(Path.GetFullPath(folder));
        if (!Directory.Exists(layout.Root))
            throw new BadInputException(folder, "the world folder does not exist; build it with 'selectbench world fashion-mnist --out " + folder + "'.");
        if (!File.Exists(layout.Manifest))
            throw new BadInputException(folder, $"is not a FashionMNIST++ world (no {WorldLayout.ManifestFile}); build it with 'selectbench world fashion-mnist --out {folder}'.");
        var manifest = Json.Read<WorldManifest>(layout.Manifest);
        if (manifest.World != WorldName || manifest.FormatVersion > FormatVersion)
            throw new BadInputException(layout.Manifest, $"is a '{manifest.World}' world of format {manifest.FormatVersion}; this SelectBench reads {WorldName} format {FormatVersion}. Rebuild it.");
        if (manifest.FormatVersion < FormatVersion && manifest.Complete)
            throw new BadInputException(folder, $"the world was built by an older SelectBench and has no content fingerprint; run 'selectbench world fashion-mnist --out {folder} --profile {manifest.Settings.Profile} --seed {manifest.Settings.Seed}' once to fingerprint it (nothing is rebuilt).");
        if (!manifest.Complete || manifest.Fingerprint == null)
            throw new BadInputException(folder, $"the world is unfinished (a build was interrupted); rerun 'selectbench world fashion-mnist --out {folder} --profile {manifest.Settings.Profile} --seed {manifest.Settings.Seed}' to finish it.");
        var crowdSummary = Json.Read<CrowdSummary>(layout.CrowdSummary);
        var crowd = CrowdFiles.Load(ImageSetStore.Load(layout.CrowdImages), layout.CrowdVotes, layout.CrowdMapping, layout.CrowdTaxonomy)
            with
        { Simulated = true, Description = crowdSummary.Description };
        var transfer = TransferTaskNames.Select(t => new TransferTask(t,
            ImageSetStore.Load(layout.Transfer(t, "train")), ImageSetStore.Load(layout.Transfer(t, "test")))).ToList();
        return new FashionMnistPlusWorld(layout.Root, manifest,
            ImageSetStore.Load(layout.Expert), ImageSetStore.Load(layout.GeneratorTraining), ImageSetStore.Load(layout.Pool),
            ImageSetStore.Load(layout.HeldOut), ImageSetStore.Load(layout.Test), ImageSetStore.Load(layout.Hard),
            ImageSetStore.Load(layout.Rendition), crowd, ConditionalVaeGenerator.Load(layout.Generator), transfer);
    }

    /// <summary>The fingerprint world.json records for a finished world of this format; null for anything else.</summary>
    public static string? RecordedFingerprint(string folder)
    {
        var path = Path.Combine(folder, WorldLayout.ManifestFile);
        if (!File.Exists(path)) return null;
        var manifest = Json.Read<WorldManifest>(path);
        return manifest.Complete && manifest.FormatVersion == FormatVersion && manifest.World == WorldName ? manifest.Fingerprint : null;
    }

    /// <summary>The top-level entries of a world folder that belong to the world (a curation folder inside it does not).</summary>
    public static readonly string[] FolderEntries =
        [WorldLayout.ManifestFile, "sets", "pool", "eval", "reference-models", "crowd", "generator", "transfer"];

    /// <summary>True when <paramref name="folder"/> holds a finished world.</summary>
    public static bool Exists(string folder)
    {
        var path = Path.Combine(folder, WorldLayout.ManifestFile);
        if (!File.Exists(path)) return false;
        try { return Json.Read<WorldManifest>(path).Complete; }
        catch (SelectBenchException) { return false; }
    }

    /// <summary>The world's sets as curation inputs: E (also "baseline"), G, pool and the eval sets, the crowd and the generator.</summary>
    public CurationSources CurationSources()
    {
        var sets = new Dictionary<string, ImageSet>(StringComparer.Ordinal)
        {
            ["E"] = Expert,
            ["baseline"] = Expert,
            ["G"] = GeneratorTraining,
            ["pool"] = Pool,
        };
        foreach (var (name, set) in EvalSets) sets[name] = set;
        return new CurationSources(sets, new Dictionary<string, CrowdAnnotations> { ["crowd"] = Crowd },
            new Dictionary<string, IImageGenerator> { [Generator.Name] = Generator }, Fingerprint, Folder);
    }

    public void Dispose() => Generator.Dispose();

    /// <summary>What crowd.json records about the simulated crowd (the true reliabilities are kept for audits).</summary>
    public sealed record CrowdSummary(string Description, bool Simulated, int Images, int Votes, int[] SourceClassCounts,
                                      IReadOnlyDictionary<string, double> TrueWorkerReliability, CrowdSimulationSettings Simulation);

    private static bool PartPresent(string part, WorldLayout l) => part switch
    {
        "partition" => new[] { l.Expert, l.GeneratorTraining, l.HeldOut, l.Pool }.All(ImageSetStore.Exists),
        "eval" => ImageSetStore.Exists(l.Test) && ImageSetStore.Exists(l.Rendition),
        "crowd" => File.Exists(l.CrowdSummary) && ImageSetStore.Exists(l.CrowdImages),
        "generator" => ConditionalVaeGenerator.Exists(l.Generator),
        "hard" => ImageSetStore.Exists(l.Hard),
        "transfer" => TransferTaskNames.All(t => ImageSetStore.Exists(l.Transfer(t, "train")) && ImageSetStore.Exists(l.Transfer(t, "test"))),
        _ => false,
    };

    private static WorldPartRecord BuildPart(string part, WorldLayout l, FashionMnistPlusSettings s, SourceData src, Action<string> log) => part switch
    {
        "partition" => BuildPartition(l, s, src, log),
        "eval" => BuildEvalSets(l, s, src, log),
        "crowd" => BuildCrowd(l, s, src, log),
        "generator" => BuildGenerator(l, s, src, log),
        "hard" => BuildHardSet(l, s, src, log),
        "transfer" => BuildTransferTasks(l, s, src, log),
        _ => throw new InvalidOperationException($"unknown world part '{part}'"),
    };

    private static WorldPartRecord BuildPartition(WorldLayout l, FashionMnistPlusSettings s, SourceData src, Action<string> log)
    {
        using var distractors = new GlyphDistractors(warn: m => log($"warning: {m}"));
        var parts = WorldPartition.Split(src.Train, new WorldPartitionSettings(DistractorFraction: s.DistractorFraction, Seed: s.Seed), distractors);
        var sets = new (string Name, ImageSet Set, string Folder, string Description)[]
        {
            ("E", parts.Expert, l.Expert, "part E: expert reservoir (true labels)"),
            ("G", parts.GeneratorTraining, l.GeneratorTraining, "part G: generator training data"),
            ("H", parts.HeldOut, l.HeldOut, "part H: held-out fresh sample"),
            ("pool", parts.WebPool, l.Pool, $"pool: W with labels hidden (placeholder {WorldPartition.HiddenLabel}; truth in provenance) + SIMULATED glyph distractors"),
        };
        foreach (var (_, set, folder, description) in sets) ImageSetStore.Save(set, folder, description);
        int distractorCount = parts.WebPool.Provenance!.Count(p => p.TrueLabel == SampleProvenance.NotAClass);
        var counts = sets.ToDictionary(x => x.Name, x => x.Set.Count);
        counts["W"] = parts.WebPool.Count - distractorCount;
        counts["distractors"] = distractorCount;
        return Record(counts, true,
            $"class-stratified seeded E/G/W/H partition of {src.Train.Count:N0} Fashion-MNIST train images; pool W mixed with {distractorCount:N0} SIMULATED glyph distractors ({distractors.Source})");
    }

    private static WorldPartRecord BuildEvalSets(WorldLayout l, FashionMnistPlusSettings s, SourceData src, Action<string> log)
    {
        var rendition = EdgeMapRendition.Apply(src.Test);
        ImageSetStore.Save(src.Test, l.Test, "eval: Fashion-MNIST test (base)");
        ImageSetStore.Save(rendition, l.Rendition, "eval: SIMULATED rendition (Sobel edge-map sketches of the test set)");
        return Record(new() { ["test"] = src.Test.Count, ["rendition"] = rendition.Count }, true,
            "base test set and its SIMULATED edge-map rendition; H is the fresh-sample eval set (sets/H)");
    }

    private static WorldPartRecord BuildCrowd(WorldLayout l, FashionMnistPlusSettings s, SourceData src, Action<string> log)
    {
        var pool = ImageSetStore.Load(l.Pool);
        var real = Enumerable.Range(0, pool.Count).Where(i => pool.Provenance![i].TrueLabel >= 0).ToArray();
        var web = pool.Select(real);
        // The simulation draws and votes from the truth; the stored images carry the placeholder label only.
        var labelled = web.WithLabels(web.Provenance!.Select(p => p.TrueLabel).ToArray());
        var simulation = new CrowdSimulationSettings(Images: s.CrowdImages);
        var result = SimulatedCrowd.Simulate(labelled, CrowdTaxonomyDefinition.FashionMnist, simulation, s.Seed);
        var a = result.Annotations;
        var hidden = new int[a.Images.Count];
        Array.Fill(hidden, WorldPartition.HiddenLabel);
        var images = a.Images.WithLabels(hidden);
        ImageSetStore.Save(images, l.CrowdImages, "SIMULATED crowd source: long-tailed sample of W's real images; labels hidden (truth in provenance)");
        WriteCsv(l.CrowdVotes, ["image_id", "worker_id", "label"], a.Votes.Select(v => new[] { v.ImageId, v.WorkerId, v.SourceLabel }));
        WriteCsv(l.CrowdMapping, ["source_label", "target_label"], a.Mapping.Select(m => new[] { m.SourceLabel, m.TargetLabel ?? "none" }));
        AtomicFile.WriteAllText(l.CrowdTaxonomy, string.Join('\n', a.SourceTaxonomy) + "\n");
        AtomicFile.WriteJson(l.CrowdSummary, new CrowdSummary(a.Description, true, images.Count, a.Votes.Count, result.ClassCounts,
            result.WorkerIds.Zip(result.Reliability).ToDictionary(x => x.First, x => Math.Round(x.Second, 4)), simulation));
        return Record(new() { ["images"] = images.Count, ["votes"] = a.Votes.Count }, true,
            $"{a.Description}: votes in an OpenImages-like taxonomy over a Zipf-distributed sample of W's real images");
    }

    private static WorldPartRecord BuildGenerator(WorldLayout l, FashionMnistPlusSettings s, SourceData src, Action<string> log)
    {
        var g = ImageSetStore.Load(l.GeneratorTraining);
        using var generator = ConditionalVaeGenerator.Train(g, new CvaeTrainingSettings(Epochs: s.GeneratorEpochs, Seed: s.Seed), name: "cvae");
        generator.Save(l.Generator);
        return Record(new() { ["training_images"] = g.Count, ["epochs"] = s.GeneratorEpochs }, true,
            $"SIMULATED text-to-image model: conditional VAE trained on G ({generator.Report.Seconds:F0} s, final reconstruction {generator.Report.FinalReconstruction:F1})");
    }

    private static WorldPartRecord BuildHardSet(WorldLayout l, FashionMnistPlusSettings s, SourceData src, Action<string> log)
    {
        var expert = ImageSetStore.Load(l.Expert);
        var test = ImageSetStore.Load(l.Test);
        var (hard, selection) = HardSetBuilder.Build(expert, test, s.Reference, s.Seed, l.ReferenceModels);
        ImageSetStore.Save(hard, l.Hard, "eval: adversarially filtered hard set");
        var emptyClasses = Enumerable.Range(0, hard.LabelSet.Count).Where(c => hard.ClassCounts()[c] == 0).Select(c => hard.LabelSet.Names[c]).ToList();
        return Record(new() { ["hard"] = hard.Count, ["misclassified"] = selection.Misclassified, ["topped_up"] = selection.ToppedUp.Length }, false,
            $"test images misclassified by >= {s.Reference.MinWrong} of {s.Reference.Models} ResNet-20 x{s.Reference.Width} reference models " +
            $"({s.Reference.Epochs} epochs on {Math.Min(s.Reference.TrainImages, expert.Count):N0} class-balanced E images; test top-1 " +
            $"{string.Join(", ", selection.ModelAccuracies.Select(a => a.ToString("F3")))}); classes below {s.Reference.MinPerClass} topped up with their lowest mean true-class probability images" +
            (emptyClasses.Count > 0 ? $"; classes without test images: {string.Join(", ", emptyClasses)}" : ""));
    }

    private static WorldPartRecord BuildTransferTasks(WorldLayout l, FashionMnistPlusSettings s, SourceData src, Action<string> log)
    {
        var expert = ImageSetStore.Load(l.Expert);
        var test = ImageSetStore.Load(l.Test);
        var train = expert.Select(ClassBalanced.BalancedSubsample(expert.Labels, expert.LabelSet.Count, Math.Min(s.TransferTrainImages, expert.Count), unchecked((int)s.Seed)));
        var testPart = test.Select(ClassBalanced.BalancedSubsample(test.Labels, test.LabelSet.Count, Math.Min(s.TransferTestImages, test.Count), unchecked((int)s.Seed)));
        var tasks = new[]
        {
            FashionMnistPlus.TransferTasks.CoarseCategories(train, testPart),
            FashionMnistPlus.TransferTasks.Rotation(train, testPart, s.Seed),
            FashionMnistPlus.TransferTasks.GlyphLetters(s.GlyphTrainPerClass, s.GlyphTestPerClass, s.Seed, warn: m => log($"warning: {m}")),
        };
        var counts = new Dictionary<string, int>();
        foreach (var task in tasks)
        {
            ImageSetStore.Save(task.Test, l.Transfer(task.Name, "test"), $"transfer task {task.Name}: test");
            ImageSetStore.Save(task.Train, l.Transfer(task.Name, "train"), $"transfer task {task.Name}: train");
            counts[$"{task.Name}/train"] = task.Train.Count;
            counts[$"{task.Name}/test"] = task.Test.Count;
        }
        return Record(counts, true,
            "coarse categories and rotation (train: class-balanced E subset, test: test subset); glyph letters A-J rendered from the machine's fonts (SIMULATED domain)");
    }

    private static WorldPartRecord Record(Dictionary<string, int> counts, bool simulated, string description) =>
        new(counts, new Dictionary<string, string>(), 0, simulated, description);

    /// <summary>
    /// The content fingerprints of one part's members, read back from the folder: image sets by
    /// <see cref="ContentFingerprint.Of"/>, the crowd's CSV and text files and the generator's weights by their bytes.
    /// </summary>
    public static Dictionary<string, string> PartFingerprints(string part, WorldLayout l)
    {
        static string Set(string folder) => ContentFingerprint.Of(ImageSetStore.Load(folder, withProvenance: false));
        return part switch
        {
            "partition" => new() { ["E"] = Set(l.Expert), ["G"] = Set(l.GeneratorTraining), ["H"] = Set(l.HeldOut), ["pool"] = Set(l.Pool) },
            "eval" => new() { ["test"] = Set(l.Test), ["rendition"] = Set(l.Rendition) },
            "crowd" => new()
            {
                ["images"] = Set(l.CrowdImages),
                ["votes"] = ContentFingerprint.OfFile(l.CrowdVotes),
                ["mapping"] = ContentFingerprint.OfFile(l.CrowdMapping),
                ["taxonomy"] = ContentFingerprint.OfFile(l.CrowdTaxonomy),
            },
            // The weights only: the generator's manifest also holds its training time, which no two builds share.
            "generator" => new() { ["weights"] = ContentFingerprint.OfFile(Directory.GetFiles(l.Generator, "*.dat").Single()) },
            "hard" => new() { ["hard"] = Set(l.Hard) },
            "transfer" => TransferTaskNames.SelectMany(t => new[] { "train", "test" }.Select(split => (t, split)))
                .ToDictionary(x => $"{x.t}/{x.split}", x => Set(l.Transfer(x.t, x.split))),
            _ => throw new InvalidOperationException($"unknown world part '{part}'"),
        };
    }

    /// <summary>
    /// Recomputes every part's fingerprints from the files in <paramref name="folder"/> and the world's fingerprint
    /// from them: what an imported world is checked against.
    /// </summary>
    public static string ComputeFingerprint(string folder)
    {
        var layout = new WorldLayout(Path.GetFullPath(folder));
        var manifest = Json.Read<WorldManifest>(layout.Manifest);
        return Combine(manifest.Parts.Keys.ToDictionary(p => p, p => manifest.Parts[p] with { Fingerprints = PartFingerprints(p, layout) }));
    }

    /// <summary>Fashion-MNIST, loaded at most once and only when a part needs it; subsets are class-balanced and seeded.</summary>
    private sealed class SourceData(FashionMnistPlusSettings settings, string? folder)
    {
        private (ImageSet Train, ImageSet Test)? _data;

        public ImageSet Train => Data().Train;
        public ImageSet Test => Data().Test;

        private (ImageSet Train, ImageSet Test) Data()
        {
            if (_data is { } d) return d;
            var (train, test) = FashionMnist.Load(folder);
            int seed = unchecked((int)settings.Seed);
            if (settings.TrainImages is { } n && n < train.Count)
                train = train.Select(ClassBalanced.BalancedSubsample(train.Labels, train.LabelSet.Count, n, seed));
            if (settings.TestImages is { } m && m < test.Count)
                test = test.Select(ClassBalanced.BalancedSubsample(test.Labels, test.LabelSet.Count, m, seed));
            _data = (train, test);
            return _data.Value;
        }
    }

    private static string SettingsJson(FashionMnistPlusSettings s) => JsonSerializer.Serialize(s, Json.Options);

    private static string Combine(IReadOnlyDictionary<string, WorldPartRecord> parts) =>
        ContentFingerprint.Combine("world", PartNames.SelectMany(part => parts[part].Fingerprints
            .Select(m => KeyValuePair.Create($"{part}/{m.Key}", m.Value))));

    private static void WriteCsv(string path, string[] header, IEnumerable<string[]> rows)
    {
        static string Field(string f) => f.Contains(',') || f.Contains('"') ? $"\"{f.Replace("\"", "\"\"")}\"" : f;
        var sb = new StringBuilder(string.Join(',', header)).Append('\n');
        foreach (var row in rows) sb.Append(string.Join(',', row.Select(Field))).Append('\n');
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}

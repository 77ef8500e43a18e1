using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Data;
using SelectBench.Running;
using SelectBench.Worlds.FashionMnistPlus;
using SelectBench.Worlds;

namespace SelectBench.Benchmark;

/// <summary>Where a benchmark job finds what earlier jobs made (the folder layout inside their outputs).</summary>
public static class BenchmarkInputs
{
    public const string WorldFolder = "world";
    public const string ShiftFolder = "shift";
    public const string GridFile = "grid.png";
    public const string ModelFolder = "model";
    public const string EncoderFolder = "encoder";
    public const string CorruptionCacheFolder = "corrupted";

    /// <summary>The run's world: FashionMNIST++ or a data-source world, whichever the world job built.</summary>
    public static IBenchmarkWorld World(JobContext context) =>
        OpenWorld(Path.Combine(context.DependencyFolder(BenchmarkPlan.WorldJob), WorldFolder));

    /// <summary>A built world folder of either kind, or a link to one (<see cref="LinkWorld"/>).</summary>
    public static IBenchmarkWorld OpenWorld(string folder)
    {
        var link = Path.Combine(folder, WorldLinkFile);
        if (File.Exists(link))
        {
            var target = Json.Read<WorldLink>(link);
            var world = Worlds.WorldFolder.Open(target.Path, link);
            if (world.Fingerprint != target.Fingerprint)
                throw new BadInputException(target.Path, $"the world's fingerprint is now {ContentFingerprint.Short(world.Fingerprint)}, but this run was planned with " +
                                                         $"{ContentFingerprint.Short(target.Fingerprint)}; the world was replaced. Rerun `selectbench run` (it replans on the new world) or restore the old one.");
            folder = target.Path;
        }
        return SourceWorld.Exists(folder) ? SourceWorld.Load(folder) : new FashionMnistPlusBenchmarkWorld(FashionMnistPlusWorld.Load(folder));
    }

    /// <summary>The file a world job writes instead of a world when the config names a prebuilt one (world: { path }).</summary>
    public const string WorldLinkFile = "world-link.json";

    /// <param name="Path">The world folder, absolute.</param>
    /// <param name="Fingerprint">The fingerprint it had when the run was planned.</param>
    public sealed record WorldLink(string Path, string Fingerprint);

    /// <summary>
    /// Points <paramref name="folder"/> at the prebuilt world in <paramref name="path"/> after checking that its files still
    /// hash to <paramref name="fingerprint"/> (the one the run was planned with): the run then uses that world where it
    /// is, so every run pointed at one imported world curates, trains and scores on the same bytes.
    /// </summary>
    public static void LinkWorld(string path, string fingerprint, string folder, Action<string> log)
    {
        var world = Worlds.WorldFolder.Open(path, "world.path");
        if (world.Fingerprint != fingerprint)
            throw new BadInputException(path, $"the world's fingerprint is {ContentFingerprint.Short(world.Fingerprint)}, but the run was planned with " +
                                              $"{ContentFingerprint.Short(fingerprint)}; rerun `selectbench run` to plan on the world now there.");
        var computed = world.ComputeFingerprint();
        if (computed != fingerprint)
            throw new BadInputException(path, $"its files hash to fingerprint {ContentFingerprint.Short(computed)}, not the {ContentFingerprint.Short(fingerprint)} it records: " +
                                              "it was changed after it was built or imported. Import it again.");
        Directory.CreateDirectory(folder);
        AtomicFile.WriteJson(Path.Combine(folder, WorldLinkFile), new WorldLink(world.Path, fingerprint));
        log($"world: using the {world.Kind} world at {world.Path} (fingerprint {ContentFingerprint.Short(fingerprint)}, verified)");
    }

    public static Shift Shift(JobContext context, string name) =>
        ShiftStore.Load(Path.Combine(context.DependencyFolder(BenchmarkPlan.CurateJob(name)), ShiftFolder));

    public static string Checkpoint(JobContext context, string trainJob)
    {
        var path = Path.Combine(context.DependencyFolder(trainJob), ModelFolder, Training.Trainer.CheckpointFile);
        return File.Exists(path) ? path
            : throw new SelectBenchException($"job '{trainJob}' is marked done but its checkpoint {path} is missing; rerun with --force {trainJob}.");
    }

    /// <summary>Moves a finished folder from the job's work folder into its output (one rename on one file system).</summary>
    public static void Publish(string from, string to)
    {
        if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        Directory.Move(from, to);
    }

    /// <summary>Moves every entry of a finished work folder into the output folder.</summary>
    public static void PublishContents(string from, string to)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(from))
        {
            var target = Path.Combine(to, Path.GetFileName(entry));
            if (Directory.Exists(entry)) Directory.Move(entry, target);
            else File.Move(entry, target);
        }
    }
}

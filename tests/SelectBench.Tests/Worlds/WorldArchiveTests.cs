using System.Formats.Tar;
using SelectBench.Benchmark;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Tests.Curation;
using SelectBench.Tests.Data;
using SelectBench.Worlds;
using SelectBench.Worlds.FashionMnistPlus;

namespace SelectBench.Tests.Worlds;

/// <summary>
/// `world export` / `world import` on the shared tiny world: the imported world is the same data (same world and
/// shift fingerprints when curated), and an archive that was tampered with is refused, naming the member.
/// </summary>
[Collection(TinyWorldCollection.Name)]
public sealed class WorldArchiveTests(TinyWorldFixture fixture) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void An_imported_world_curates_to_the_same_shift_fingerprints()
    {
        var archive = _temp.File("world.tar");
        var exported = WorldArchive.Export(fixture.Folder, archive);
        Assert.Equal(fixture.World.Fingerprint, exported.Fingerprint);
        Assert.Equal(WorldFolder.FashionMnistPlusKind, exported.Kind);
        // Only the world's own entries travel: the curation folders other tests write inside the world stay behind.
        Assert.All(exported.Files, f => Assert.Contains(f.Path.Split('/')[0], FashionMnistPlusWorld.FolderEntries));
        Assert.Contains(exported.Files, f => f.Path.StartsWith("generator/", StringComparison.Ordinal));

        var imported = _temp.File("imported");
        WorldArchive.Import(archive, imported);
        using var copy = FashionMnistPlusWorld.Load(imported);
        Assert.Equal(fixture.World.Fingerprint, copy.Fingerprint);

        var config = CurationConfig.Load(TinyCurationFixture.ConfigPath("curation-quick.yaml"), targetSize: TinyCurationFixture.N);
        var original = CurationRun.Build(fixture.World.CurationSources(), config, _temp.File("curated-original"));
        var again = CurationRun.Build(copy.CurationSources(), config, _temp.File("curated-imported"));
        Assert.Equal(original.Select(s => s.Fingerprint), again.Select(s => s.Fingerprint));
        Assert.All(again, s => Assert.False(s.FromCache));

        // Exporting the same world twice gives the same bytes, gzip or not.
        WorldArchive.Export(fixture.Folder, _temp.File("again.tar"));
        Assert.Equal(File.ReadAllBytes(archive), File.ReadAllBytes(_temp.File("again.tar")));
        WorldArchive.Export(fixture.Folder, _temp.File("world.tar.gz"));
        Assert.Equal(fixture.World.Fingerprint, WorldArchive.Import(_temp.File("world.tar.gz"), _temp.File("from-gzip")).Fingerprint);
    }

    [Fact]
    public void A_tampered_archive_is_refused_naming_the_member_and_leaves_nothing_behind()
    {
        var archive = _temp.File("world.tar");
        WorldArchive.Export(fixture.Folder, archive);

        var flipped = Rewrite(archive, "flipped.tar", (name, data) => name == "sets/E/pixels.u8" ? Flip(data) : data);
        AssertRefused(flipped, "sets/E/pixels.u8", "SHA-256");

        var missing = Rewrite(archive, "missing.tar", (name, data) => name == "crowd/votes.csv" ? null : data);
        AssertRefused(missing, "crowd/votes.csv", "missing from the archive");

        var extra = Rewrite(archive, "extra.tar", (_, data) => data, extra: [new UstarTarEntry(TarEntryType.RegularFile, "sets/E/extra.bin") { DataStream = new MemoryStream([1, 2, 3]) }]);
        AssertRefused(extra, "sets/E/extra.bin", "not listed");

        var climbing = Rewrite(archive, "climbing.tar", (_, data) => data, extra: [new UstarTarEntry(TarEntryType.RegularFile, "../outside.txt") { DataStream = new MemoryStream([1]) }]);
        AssertRefused(climbing, "../outside.txt", "'..'");
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_temp.Path)!, "outside.txt")));

        var linked = Rewrite(archive, "linked.tar", (_, data) => data, extra: [new UstarTarEntry(TarEntryType.SymbolicLink, "sets/link") { LinkName = "/etc/passwd" }]);
        AssertRefused(linked, "sets/link", "SymbolicLink");

        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_temp.Path), e => Path.GetFileName(e).Contains(".import-"));
    }

    [Fact]
    public void Import_refuses_a_folder_that_already_holds_something()
    {
        var archive = _temp.File("world.tar");
        WorldArchive.Export(fixture.Folder, archive);
        Directory.CreateDirectory(_temp.File("busy"));
        File.WriteAllText(_temp.File("busy/note.txt"), "mine");
        var e = Assert.Throws<BadInputException>(() => WorldArchive.Import(archive, _temp.File("busy")));
        Assert.Contains("not empty", e.Message);
        Assert.Equal("mine", File.ReadAllText(_temp.File("busy/note.txt")));
    }

    [Fact]
    public void A_run_config_can_point_at_a_prebuilt_world_and_pin_its_fingerprint()
    {
        string Config(string world) => $"name: t\nworld: {world}\ncuration: {{ config: curation-quick.yaml, target_size: 50 }}\n";
        var config = RunConfig.Parse(Config($"{{ path: {fixture.Folder} }}"), "run.yaml");
        Assert.Equal(Path.GetFullPath(fixture.Folder), config.World.Path);
        Assert.Equal(fixture.World.Fingerprint, config.World.Fingerprint);
        var worldJob = BenchmarkPlan.Specs(config).Single(j => j.Id == BenchmarkPlan.WorldJob);
        Assert.Equal(fixture.World.Fingerprint, worldJob.Settings["world"]!["fingerprint"]!.GetValue<string>());

        var pinned = RunConfig.Parse(Config($"{{ path: {fixture.Folder}, fingerprint: {fixture.World.Fingerprint[..12]} }}"), "run.yaml");
        Assert.Equal(fixture.World.Fingerprint, pinned.World.Fingerprint);

        var wrong = Assert.Throws<SelectBenchException>(() => RunConfig.Parse(Config($"{{ path: {fixture.Folder}, fingerprint: 000000000000 }}"), "run.yaml"));
        Assert.Contains("run.yaml: world.fingerprint", wrong.Message);
        var nowhere = Assert.Throws<BadInputException>(() => RunConfig.Parse(Config($"{{ path: {_temp.File("no-world")} }}"), "run.yaml"));
        Assert.Contains("run.yaml: world.path", nowhere.Message);
        Assert.Contains("world import", nowhere.Message);
        var both = Assert.Throws<SelectBenchException>(() => RunConfig.Parse(Config($"{{ path: {fixture.Folder}, profile: tiny }}"), "run.yaml"));
        Assert.Contains("either path", both.Message);

        // The world job links the run to the world where it is; every later job opens it through the link.
        var link = _temp.File("job-output-world");
        BenchmarkInputs.LinkWorld(config.World.Path!, config.World.Fingerprint!, link, _ => { });
        using var opened = BenchmarkInputs.OpenWorld(link);
        Assert.Equal(fixture.World.Fingerprint, opened.Fingerprint);
        Assert.Equal(fixture.World.Expert.Count, opened.Curation.Sets["E"].Count);
        var stale = Assert.Throws<BadInputException>(() => BenchmarkInputs.LinkWorld(config.World.Path!, new string('0', 64), _temp.File("stale"), _ => { }));
        Assert.Contains("planned with", stale.Message);
    }

    private void AssertRefused(string archive, string member, string reason)
    {
        var target = _temp.File($"import-{Path.GetFileNameWithoutExtension(archive)}");
        var e = Assert.Throws<BadInputException>(() => WorldArchive.Import(archive, target));
        Assert.Contains(member, e.Message);
        Assert.Contains(reason, e.Message);
        Assert.False(Directory.Exists(target), $"{target} was left behind");
    }

    /// <summary>A copy of the archive with each member's data passed through <paramref name="change"/> (null drops it), plus extra members.</summary>
    private string Rewrite(string archive, string name, Func<string, byte[], byte[]?> change, IReadOnlyList<TarEntry>? extra = null)
    {
        var path = _temp.File(name);
        using var input = File.OpenRead(archive);
        using var reader = new TarReader(input);
        using var output = File.Create(path);
        using var writer = new TarWriter(output, TarEntryFormat.Ustar);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            var changed = change(entry.Name, data.ToArray());
            if (changed is null) continue;
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, entry.Name) { DataStream = new MemoryStream(changed) });
        }
        foreach (var e in extra ?? []) writer.WriteEntry(e);
        return path;
    }

    private static byte[] Flip(byte[] data)
    {
        var copy = (byte[])data.Clone();
        copy[copy.Length / 2] ^= 0x01;
        return copy;
    }
}

using System.Formats.Tar;
using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class WebDatasetTests
{
    private static ImageSet TinySet(int n = 5)
    {
        var pixels = new byte[n * 3 * 4 * 4];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 37 % 256);
        return new ImageSet(pixels, Enumerable.Range(0, n).Select(i => i % 3).ToArray(), new LabelSet(["a", "b", "c"], ["id_a", "id_b", "id_c"]),
                            3, 4, 4, Enumerable.Range(0, n).Select(i => $"train/{i:D5}").ToArray());
    }

    private static void WriteTar(string path, params (string Name, byte[] Data)[] members)
    {
        using var fs = File.Create(path);
        using var tw = new TarWriter(fs, TarEntryFormat.Pax);
        foreach (var (name, data) in members)
            tw.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
    }

    private static DataLoadOptions Skip(List<string>? warnings = null) =>
        new(BadInputPolicy.Skip, UseCache: false, OnWarning: w => warnings?.Add(w));

    [Fact]
    public void WriteThenReadRoundTripsPixelsLabelsIdsAndLabelSet()
    {
        using var tmp = new TempFolder();
        var set = TinySet();
        var shards = WebDatasetWriter.Write(set, tmp.Path, samplesPerShard: 2);
        Assert.Equal(3, shards.Count);
        var result = DataSources.Load(Path.Combine(tmp.Path, "shard-{000000..000002}.tar"), new DataLoadOptions(UseCache: false));
        var back = result.Images;
        Assert.Equal(set.Pixels, back.Pixels);
        Assert.Equal(set.Labels, back.Labels);
        Assert.Equal(set.Ids, back.Ids);
        Assert.True(set.LabelSet.SameAs(back.LabelSet));
        // Deterministic: writing again gives identical bytes.
        using var tmp2 = new TempFolder();
        var again = WebDatasetWriter.Write(set, tmp2.Path, samplesPerShard: 2);
        Assert.Equal(File.ReadAllBytes(shards[0]), File.ReadAllBytes(again[0]));
    }

    [Fact]
    public void BraceExpansionMatchesWebDataset()
    {
        Assert.Equal(["s/00008.tar", "s/00009.tar", "s/00010.tar"], ShardPattern.Expand("s/{00008..00010}.tar"));
        Assert.Equal(["a-x-1", "a-x-2", "a-y-1", "a-y-2"], ShardPattern.Expand("a-{x,y}-{1..2}"));
        Assert.Equal(["p9", "p10"], ShardPattern.Expand("p{9..10}"));
        Assert.Throws<SelectBenchException>(() => ShardPattern.Expand("s/{5..1}.tar"));
        Assert.Throws<SelectBenchException>(() => ShardPattern.Expand("s/{0..99999999}.tar"));
        Assert.Throws<SelectBenchException>(() => ShardPattern.Expand("s/{1..2.tar"));
    }

    [Theory]
    [InlineData("../evil.png")]
    [InlineData("a/../../evil.png")]
    [InlineData("/etc/evil.png")]
    [InlineData("..\\evil.png")]
    public void TraversalAndAbsoluteMemberNamesAreRejected(string hostile)
    {
        using var tmp = new TempFolder();
        var shard = tmp.File("s.tar");
        WriteTar(shard, ("ok.png", Fixtures.Png(4, 4, 1, 2, 3)), ("ok.cls", "0"u8.ToArray()), (hostile, Fixtures.Png(4, 4, 0, 0, 0)));
        var e = Assert.Throws<BadInputException>(() => WebDatasetReader.Read([shard], new DataLoadOptions(UseCache: false)));
        Assert.Contains(hostile, e.Item);
        var (set, skipped) = WebDatasetReader.Read([shard], Skip());
        Assert.Equal(1, set.Count);
        Assert.Contains(skipped, s => s.Item.EndsWith(hostile));
        Assert.False(File.Exists(Path.Combine(tmp.Path, "..", "evil.png")));
    }

    [Fact]
    public void LinkMembersAreRejected()
    {
        using var tmp = new TempFolder();
        var shard = tmp.File("s.tar");
        using (var fs = File.Create(shard))
        using (var tw = new TarWriter(fs, TarEntryFormat.Pax))
        {
            tw.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "k.png") { DataStream = new MemoryStream(Fixtures.Png(4, 4, 1, 1, 1)) });
            tw.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "k.cls") { DataStream = new MemoryStream("0"u8.ToArray()) });
            tw.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "l.png") { LinkName = "/etc/passwd" });
        }
        var (set, skipped) = WebDatasetReader.Read([shard], Skip());
        Assert.Equal(1, set.Count);
        Assert.Contains("SymbolicLink", skipped.Single().Reason);
    }

    [Fact]
    public void TruncatedShardFailsOrKeepsWhatCameBefore()
    {
        using var tmp = new TempFolder();
        var shards = WebDatasetWriter.Write(TinySet(4), tmp.File("w"), samplesPerShard: 10);
        var bytes = File.ReadAllBytes(shards[0]);
        var cut = tmp.File("cut.tar");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2 + 100)]);
        var e = Assert.Throws<BadInputException>(() => WebDatasetReader.Read([cut], new DataLoadOptions(UseCache: false)));
        Assert.Contains("cut.tar", e.Item);
        var (set, skipped) = WebDatasetReader.Read([cut], Skip());
        Assert.InRange(set.Count, 1, 3);
        Assert.Contains(skipped, s => s.Item == cut && s.Reason.Contains("truncated"));
    }

    [Fact]
    public void JsonLabelsByNameAndMissingLabelsAndOutOfSetLabels()
    {
        using var tmp = new TempFolder();
        var shard = tmp.File("j.tar");
        WriteTar(shard,
            ("x1.png", Fixtures.Png(4, 4, 1, 1, 1)), ("x1.json", """{"label": "zebra"}"""u8.ToArray()),
            ("x2.png", Fixtures.Png(4, 4, 2, 2, 2)), ("x2.json", """{"label": "ant"}"""u8.ToArray()),
            ("x3.png", Fixtures.Png(4, 4, 3, 3, 3)),
            ("x4.jpg", "not a jpeg"u8.ToArray()), ("x4.json", """{"label": "ant"}"""u8.ToArray()));
        var warnings = new List<string>();
        var (set, skipped) = WebDatasetReader.Read([shard], Skip(warnings));
        Assert.Equal(["ant", "zebra"], set.LabelSet.Names);
        Assert.Equal([1, 0], set.Labels);
        Assert.Equal(2, skipped.Count); // x3 has no label, x4 is not an image
        Assert.Equal(2, warnings.Count);

        var given = new DataLoadOptions(BadInputPolicy.Skip, LabelSet: new LabelSet(["ant"]), UseCache: false, OnWarning: _ => { });
        var (only, skipped2) = WebDatasetReader.Read([shard], given);
        Assert.Equal(1, only.Count);
        Assert.Contains(skipped2, s => s.Reason.Contains("'name:zebra' is outside the label set") || s.Reason.Contains("zebra"));
    }

    [Fact]
    public void NameSafetyAndKeySplitting()
    {
        Assert.True(WebDatasetReader.IsSafeName("a/b/c.png"));
        Assert.True(WebDatasetReader.IsSafeName("a..b.png"));
        Assert.False(WebDatasetReader.IsSafeName("C:/x.png"));
        Assert.Equal(("dir/00042", "seg.png"), WebDatasetReader.SplitKey("dir/00042.seg.png"));
        Assert.Equal((null, null), WebDatasetReader.SplitKey("dir/README"));
    }

    [Fact]
    public void ALabelThatLeavesEmptyClassesIsRefusedWithoutClassesTxt()
    {
        // Label 999 among 0 and 1 used to make a 1000-class set with 998 empty classes.
        using var tmp = new TempFolder();
        var shard = tmp.File("s.tar");
        WriteTar(shard,
            ("a.png", Fixtures.Png(4, 4, 1, 1, 1)), ("a.cls", "0"u8.ToArray()),
            ("b.png", Fixtures.Png(4, 4, 2, 2, 2)), ("b.cls", "1"u8.ToArray()),
            ("c.png", Fixtures.Png(4, 4, 3, 3, 3)), ("c.cls", "999"u8.ToArray()),
            ("d.png", Fixtures.Png(4, 4, 4, 4, 4)), ("d.cls", "1"u8.ToArray()));
        var e = Assert.Throws<BadInputException>(() => WebDatasetReader.Read([shard], new DataLoadOptions(UseCache: false)));
        Assert.Equal($"{shard}:c.cls", e.Item);
        Assert.Contains("label 999", e.Message);
        Assert.Contains("997 of them have no sample (2, 3, 4, 5, 6, ...)", e.Message);
        Assert.Contains("Add classes.txt", e.Message);

        var (set, skipped) = WebDatasetReader.Read([shard], Skip());
        Assert.Equal(2, set.LabelSet.Count);
        Assert.Equal([0, 1, 1], set.Labels);
        Assert.Equal(["s/a", "s/b", "s/d"], set.Ids);
        Assert.Equal($"{shard}:c.cls", skipped.Single().Item);

        // Named classes make any index below their count valid, empty classes included.
        File.WriteAllText(Path.Combine(tmp.Path, "classes.txt"), string.Join('\n', Enumerable.Range(0, 1000).Select(i => $"c{i}")));
        Assert.Equal(1000, WebDatasetReader.Read([shard], new DataLoadOptions(UseCache: false)).Set.LabelSet.Count);
    }

    [Fact]
    public void LabelsStartingAtOneAreRefusedWithoutClassesTxt()
    {
        using var tmp = new TempFolder();
        var shard = tmp.File("s.tar");
        WriteTar(shard, ("a.png", Fixtures.Png(4, 4, 1, 1, 1)), ("a.cls", "1"u8.ToArray()), ("b.png", Fixtures.Png(4, 4, 2, 2, 2)), ("b.cls", "2"u8.ToArray()));
        var e = Assert.Throws<BadInputException>(() => WebDatasetReader.Read([shard], new DataLoadOptions(UseCache: false)));
        Assert.Contains("label 1 makes the classes 0..2", e.Message);
    }

    [Fact]
    public void ADuplicateSampleKeyIsRefusedNamingBothMembers()
    {
        // The later x.cls used to relabel the sample x.
        using var tmp = new TempFolder();
        var shard = tmp.File("s.tar");
        WriteTar(shard,
            ("x.png", Fixtures.Png(4, 4, 1, 1, 1)), ("x.cls", "0"u8.ToArray()),
            ("y.png", Fixtures.Png(4, 4, 2, 2, 2)), ("y.cls", "1"u8.ToArray()),
            ("z.png", Fixtures.Png(4, 4, 3, 3, 3)), ("z.cls", "0"u8.ToArray()),
            ("x.png", Fixtures.Png(4, 4, 4, 4, 4)), ("x.cls", "1"u8.ToArray()));
        var e = Assert.Throws<BadInputException>(() => WebDatasetReader.Read([shard], new DataLoadOptions(UseCache: false)));
        Assert.Equal($"{shard}:x.png", e.Item);
        Assert.Contains("sample key 'x' is used twice", e.Message);
        Assert.Contains("(member 7)", e.Message);
        Assert.Contains($"{shard}:x.png (member 1)", e.Message);

        var warnings = new List<string>();
        var (set, skipped) = WebDatasetReader.Read([shard], Skip(warnings));
        Assert.Equal(["s/y", "s/z"], set.Ids);
        Assert.Equal([1, 0], set.Labels);
        Assert.Equal(2, skipped.Count);
        Assert.All(skipped, s => Assert.Equal($"{shard}:x.png", s.Item));
        Assert.Contains(skipped, s => s.Reason.Contains("member 7") && s.Reason.Contains("repeats this sample (member 1)"));
        Assert.Equal(2, warnings.Count);
    }

    [Fact]
    public void ARepeatedLabelMemberInOneSampleIsADuplicate()
    {
        using var tmp = new TempFolder();
        var shard = tmp.File("s.tar");
        WriteTar(shard,
            ("x.png", Fixtures.Png(4, 4, 1, 1, 1)), ("x.cls", "0"u8.ToArray()), ("x.cls", "1"u8.ToArray()),
            ("y.png", Fixtures.Png(4, 4, 2, 2, 2)), ("y.cls", "0"u8.ToArray()));
        var e = Assert.Throws<BadInputException>(() => WebDatasetReader.Read([shard], new DataLoadOptions(UseCache: false)));
        Assert.Equal($"{shard}:x.cls", e.Item);
        Assert.Contains($"{shard}:x.cls (member 2)", e.Message);
        var (set, _) = WebDatasetReader.Read([shard], Skip());
        Assert.Equal(["s/y"], set.Ids);
    }

    [Fact]
    public void TwoImageFormatsOfOneSampleAreNotADuplicate()
    {
        using var tmp = new TempFolder();
        var shard = tmp.File("s.tar");
        WriteTar(shard, ("x.png", Fixtures.Png(4, 4, 1, 1, 1)), ("x.jpg", Fixtures.Jpeg(4, 4, 1, 1, 1)), ("x.cls", "0"u8.ToArray()));
        Assert.Equal(1, WebDatasetReader.Read([shard], new DataLoadOptions(UseCache: false)).Set.Count);
    }
}

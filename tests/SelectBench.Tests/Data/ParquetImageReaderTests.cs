using Parquet;
using Parquet.Schema;
using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class ParquetImageReaderTests
{
    private static async Task WriteHuggingFaceStyle(string path, byte[][] images, long[] labels, string? hfMetadata)
    {
        var schema = new ParquetSchema(
            new StructField("image", new DataField<byte[]>("bytes"), new DataField<string>("path")),
            new DataField<long>("label"));
        var leaves = schema.GetDataFields();
        await using var fs = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, fs);
        if (hfMetadata != null) writer.CustomMetadata = new Dictionary<string, string> { ["huggingface"] = hfMetadata };
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(leaves[0], images);
        await group.WriteAsync(leaves[1], images.Select((_, i) => $"{i}.png").ToArray());
        await group.WriteAsync<long>(leaves[2], labels.AsMemory());
    }

    private static async Task WritePlain(string path, byte[][] images, string[] labels)
    {
        var schema = new ParquetSchema(new DataField<byte[]>("img"), new DataField<string>("cls"));
        var leaves = schema.GetDataFields();
        await using var fs = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, fs);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(leaves[0], images);
        await group.WriteAsync(leaves[1], labels);
    }

    [Fact]
    public async Task HuggingFaceImageStructWithClassLabelNames()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("train-00000-of-00001.parquet");
        const string meta = """{"info": {"features": {"image": {"_type": "Image"}, "label": {"names": ["cat", "dog", "emu"], "_type": "ClassLabel"}}}}""";
        await WriteHuggingFaceStyle(path, [Fixtures.Png(4, 4, 255, 0, 0), Fixtures.Png(4, 4, 0, 255, 0), Fixtures.Png(4, 4, 0, 0, 255)], [2, 0, 1], meta);
        var result = DataSources.Load(tmp.Path + ":train", new DataLoadOptions(UseCache: false));
        var set = result.Images;
        Assert.Equal(["cat", "dog", "emu"], set.LabelSet.Names);
        Assert.Equal([2, 0, 1], set.Labels);
        Assert.Equal("train-00000-of-00001.parquet/1", set.Ids[1]);
        Assert.Equal(255, set.Image(1)[16]); // green plane of row 1
    }

    [Fact]
    public async Task PlainBinaryColumnWithStringLabelsAndConfigurableNames()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("d.parquet");
        await WritePlain(path, [Fixtures.Png(4, 4, 1, 1, 1), Fixtures.Png(4, 4, 2, 2, 2), Fixtures.Png(4, 4, 3, 3, 3)], ["owl", "bee", "owl"]);
        var options = new DataLoadOptions(Parquet: new ParquetColumns("img", "cls"), UseCache: false);
        var (set, _) = ParquetImageReader.Read([path], options);
        Assert.Equal(["bee", "owl"], set.LabelSet.Names);
        Assert.Equal([1, 0, 1], set.Labels);
        var e = Assert.Throws<SelectBenchException>(() => ParquetImageReader.Read([path], new DataLoadOptions(UseCache: false)));
        Assert.Contains("no image column 'image'", e.Message);
    }

    [Fact]
    public async Task CorruptRowAndOutOfSetLabelAreSkippedAndCounted()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("bad.parquet");
        await WriteHuggingFaceStyle(path, [Fixtures.Png(4, 4, 1, 1, 1), "broken"u8.ToArray(), Fixtures.Png(4, 4, 3, 3, 3)], [0, 1, 7], null);
        var options = new DataLoadOptions(BadInputPolicy.Skip, LabelSet: LabelSet.Numbered(2), UseCache: false, OnWarning: _ => { });
        var (set, skipped) = ParquetImageReader.Read([path], options);
        Assert.Equal(1, set.Count);
        Assert.Equal(2, skipped.Count);
        Assert.Contains(skipped, s => s.Item == $"{path}[1]");
        Assert.Contains(skipped, s => s.Item == $"{path}[2]" && s.Reason.Contains("outside the label set"));
        var e = Assert.Throws<BadInputException>(() => ParquetImageReader.Read([path], new DataLoadOptions(LabelSet: LabelSet.Numbered(2), UseCache: false)));
        // Labels are checked before images are decoded, so under Fail the first error is row 2's label.
        Assert.Equal($"{path}[2]", e.Item);
    }

    [Fact]
    public void NotAParquetFileIsNamed()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("fake.parquet");
        File.WriteAllBytes(path, "PAR1 but not really"u8.ToArray());
        var e = Assert.Throws<BadInputException>(() => ParquetImageReader.Read([path], new DataLoadOptions(UseCache: false)));
        Assert.Equal(path, e.Item);
    }
}

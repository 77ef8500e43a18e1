using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Reporting;
using SkiaSharp;

namespace SelectBench.Tests.Reporting;

public class SampleGridTests
{
    private static ImageSet Set()
    {
        // 3 classes x 4 grey 7x7 images; image i is filled with value 20 * i + 10.
        int n = 12;
        var pixels = new byte[n * 49];
        for (int i = 0; i < n; i++) Array.Fill(pixels, (byte)(20 * i + 10), i * 49, 49);
        return new ImageSet(pixels, Enumerable.Range(0, n).Select(i => i / 4).ToArray(), new LabelSet(["alpha", "beta", "gamma"]), 1, 7, 7);
    }

    [Fact]
    public void ByClassGivesOneRowPerClassWithUpToKImages()
    {
        var rows = SampleGrid.ByClass(Set(), perClass: 3, seed: 1);
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(3, r.Cells.Count));
        Assert.StartsWith("beta (4)", rows[1].Label);
        // Every cell of row 1 shows an image of class 1 (values 90, 110, 130, 150).
        Assert.All(rows[1].Cells, c => Assert.Contains(c.Pixels.Span[0], new byte[] { 90, 110, 130, 150 }));
    }

    [Fact]
    public void RendersUpscaledCellsWithExactPixelsAndAFixedLayout()
    {
        var set = Set();
        var rows = new[] { new SampleGridRow("first", [SampleGridCell.FromSet(set, 5, "cap")]) };
        var png = SampleGrid.RenderPng(rows, new SampleGridOptions(Title: "T", CellSize: 70, Padding: 4));
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        // 7x7 is enlarged 10x (nearest neighbour): the cell's centre shows the image value 110 exactly.
        int labelWidth = bitmap.Width - 70 - 4 - 4;
        int titleHeight = (int)Math.Ceiling(14 * 1.3f * 1.4f);
        var centre = bitmap.GetPixel(labelWidth + 35, titleHeight + 4 + 35);
        Assert.Equal(new SKColor(110, 110, 110), centre);
        Assert.True(bitmap.Height > titleHeight + 70);
    }

    [Fact]
    public void WritesAtomicallyAndRejectsEmptyGrids()
    {
        using var tmp = new SelectBench.Tests.Data.TempFolder();
        var path = tmp.File("grid.png");
        SampleGrid.Write(path, SampleGrid.ByClass(Set(), 2));
        using var bitmap = SKBitmap.Decode(path);
        Assert.True(bitmap.Width > 2 * 63 && bitmap.Height > 3 * 63);
        Assert.Single(Directory.GetFiles(tmp.Path)); // no temp file left behind
        Assert.Throws<SelectBenchException>(() => SampleGrid.RenderPng([]));
    }

    [Fact]
    public void RgbAndLargeImagesAreShown()
    {
        var rgb = new ImageSet(SelectBench.Tests.Data.Fixtures.Solid(300, 200, 250, 5, 5), [0], LabelSet.Numbered(1), 3, 300, 200);
        var png = SampleGrid.RenderPng([new SampleGridRow("r", [SampleGridCell.FromSet(rgb, 0)])]);
        using var bitmap = SKBitmap.Decode(png);
        // Shrunk to a 128 cell; the middle of the image is red.
        var px = bitmap.GetPixel(bitmap.Width - 4 - 64, 4 + 64);
        Assert.True(px.Red > 240 && px.Green < 15, $"expected red, got {px}");
    }
}

using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Worlds.FashionMnistPlus;
using SkiaSharp;

namespace SelectBench.Tests.Worlds;

public class TransferTasksTests
{
    private static ImageSet RandomSet(int count, int classes, LabelSet labels, int channels, int side, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * channels * side * side];
        rng.NextBytes(pixels);
        return new ImageSet(pixels, Enumerable.Range(0, count).Select(i => i % classes).ToArray(), labels, channels, side, side);
    }

    [Fact]
    public void CoarseCategoriesGroupTheTenClassesIntoFive()
    {
        var set = RandomSet(20, 10, LabelSet.FashionMnist, 1, 4, 1);
        var task = TransferTasks.CoarseCategories(set, set.Select([5, 9, 8]));
        Assert.True(task.LabelSet.SameAs(TransferTasks.CoarseLabels));
        // tops: T-shirt, Pullover, Coat, Shirt; bottoms: Trouser; dresses: Dress; footwear: Sandal, Sneaker, Ankle boot; bags: Bag.
        Assert.Equal([8, 2, 2, 6, 2], task.Train.ClassCounts());
        Assert.Equal(["footwear", "footwear", "bags"], task.Test.Labels.Select(l => task.LabelSet.Names[l]));
        Assert.Equal(set.Pixels, task.Train.Pixels);
    }

    [Fact]
    public void CoarseCategoriesRejectForeignClasses()
    {
        var set = RandomSet(4, 2, new LabelSet(["Dress", "Hat"]), 1, 4, 1);
        var e = Assert.Throws<SelectBenchException>(() => TransferTasks.CoarseCategories(set, set));
        Assert.Contains("'Hat'", e.Message);
    }

    [Fact]
    public void QuarterTurnIsClockwise()
    {
        // 1 2      3 1
        // 3 4  ->  4 2
        var target = new byte[4];
        TransferTasks.RotateQuarterTurns(new byte[] { 1, 2, 3, 4 }, 1, 2, 1, target);
        Assert.Equal(new byte[] { 3, 1, 4, 2 }, target);
        TransferTasks.RotateQuarterTurns(new byte[] { 1, 2, 3, 4 }, 1, 2, 2, target);
        Assert.Equal(new byte[] { 4, 3, 2, 1 }, target);
        TransferTasks.RotateQuarterTurns(new byte[] { 1, 2, 3, 4 }, 1, 2, 3, target);
        Assert.Equal(new byte[] { 2, 4, 1, 3 }, target);
    }

    [Fact]
    public void RotationLabelsMatchTheRotationApplied()
    {
        var train = RandomSet(22, 3, LabelSet.Numbered(3), 2, 5, 2);
        var test = RandomSet(9, 3, LabelSet.Numbered(3), 2, 5, 3);
        var task = TransferTasks.Rotation(train, test, seed: 7);
        Assert.True(task.LabelSet.SameAs(TransferTasks.RotationLabels));
        // Balanced to within one image.
        Assert.Equal([6, 6, 5, 5], task.Train.ClassCounts().OrderByDescending(c => c));
        Assert.InRange(task.Test.ClassCounts().Max() - task.Test.ClassCounts().Min(), 0, 1);
        foreach (var (source, rotated) in new[] { (train, task.Train), (test, task.Test) })
            for (int i = 0; i < source.Count; i++)
            {
                // Turning the original one quarter at a time, label-many times, gives the task's image.
                var expected = source.Image(i).ToArray();
                var step = new byte[expected.Length];
                for (int t = 0; t < rotated.Labels[i]; t++)
                {
                    TransferTasks.RotateQuarterTurns(expected, 2, 5, 1, step);
                    (expected, step) = (step, expected);
                }
                Assert.Equal(expected, rotated.Image(i).ToArray());
            }
        Assert.Equal(task.Train.Labels, TransferTasks.Rotation(train, test, seed: 7).Train.Labels);
    }

    [Fact]
    public void GlyphLettersHaveOneClassPerLetterAndSeparateFonts()
    {
        var warnings = new List<string>();
        var task = TransferTasks.GlyphLetters(trainPerClass: 4, testPerClass: 2, seed: 3, letters: "ABC", warn: warnings.Add);
        Assert.Equal(["A", "B", "C"], task.LabelSet.Names);
        Assert.Equal([4, 4, 4], task.Train.ClassCounts());
        Assert.Equal([2, 2, 2], task.Test.ClassCounts());
        Assert.Equal((1, 28, 28), (task.Train.Channels, task.Train.Height, task.Train.Width));
        for (int i = 0; i < task.Train.Count; i++) Assert.True(GlyphDistractorsTests.InkPixels(task.Train.Image(i)) >= 10);
        Assert.All(task.Test.Provenance!, p => Assert.True(p.Simulated));
        static HashSet<string> Fonts(ImageSet s) => s.Provenance!.Select(p => p.Note![(p.Note!.IndexOf(" in ", StringComparison.Ordinal) + 4)..]).ToHashSet();
        if (FontCatalog.FindFontFiles().Count >= 2)
            Assert.Empty(Fonts(task.Train).Intersect(Fonts(task.Test)));
        var again = TransferTasks.GlyphLetters(4, 2, 3, letters: "ABC", warn: warnings.Add);
        Assert.Equal(task.Train.Pixels, again.Train.Pixels);
        Assert.Equal(task.Test.Pixels, again.Test.Pixels);
    }

    [Fact]
    public void GlyphLettersWithoutFontsUseTheDefaultTypefaceOrSayWhatToInstall()
    {
        bool defaultDraws;
        using (var font = new SKFont(SKTypeface.Default, 12)) defaultDraws = font.GetGlyphs("AB").All(g => g != 0);
        var warnings = new List<string>();
        if (defaultDraws)
        {
            var task = TransferTasks.GlyphLetters(1, 1, 0, fontFiles: [], letters: "AB", warn: warnings.Add);
            Assert.Equal([1, 1], task.Train.ClassCounts());
            Assert.Single(warnings);
        }
        else
        {
            var e = Assert.Throws<SelectBenchException>(() => TransferTasks.GlyphLetters(1, 1, 0, fontFiles: [], letters: "AB", warn: warnings.Add));
            Assert.Contains("fonts-dejavu-core", e.Message);
        }
    }
}

using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Curation.Strategies;
using SelectBench.Encoders.Text;
using SelectBench.Data;
using SelectBench.Encoders;
using Match = SelectBench.Curation.Strategies.ClassQuerySearch.ClassMatch;
using SelectBench.Embedding;

namespace SelectBench.Tests.Curation;

public class ClassQuerySearchTests
{
    [Fact]
    public void SelectAppliesThresholdMarginAndCapHighestFirst()
    {
        Match[] matches =
        [
            new(0, 0, 0.90f, 0.10f),
            new(1, 0, 0.80f, 0.75f), // fails the margin
            new(2, 0, 0.95f, 0.20f),
            new(3, 0, 0.40f, 0.10f), // fails the threshold
            new(4, 1, 0.60f, 0.45f),
            new(5, 0, 0.90f, 0.10f), // ties with 0: lower pool index first
        ];
        var kept = ClassQuerySearch.Select(matches, 3, threshold: 0.5, margin: 0.1, cap: 2);
        Assert.Equal([2, 0, 4], kept.Select(m => m.PoolIndex).ToArray());
        var uncapped = ClassQuerySearch.Select(matches, 3, threshold: 0.5, margin: 0.1, cap: 10);
        Assert.Equal([2, 0, 5, 4], uncapped.Select(m => m.PoolIndex).ToArray());
    }

    [Fact]
    public void MatchFindsBestAndRunnerUp()
    {
        var pool = new Embeddings([1, 0, 0, 1], 2, 2);
        var classes = new Embeddings([1, 0, 0.6f, 0.8f, 0, 1], 3, 2);
        var m = ClassQuerySearch.Match(pool, classes);
        Assert.Equal(0, m[0].Class);
        Assert.Equal(1f, m[0].Best, 6);
        Assert.Equal(0.6f, m[0].RunnerUp, 6);
        Assert.Equal(2, m[1].Class);
        Assert.Equal(0.8f, m[1].RunnerUp, 6);
    }

    // Three classes at 0, 120 and 240 degrees. Pool: five images near 'a', one near 'b', none near 'c',
    // one halfway between 'a' and 'b' (fails the margin), one far from everything (fails the threshold).
    private static TinyWorld World()
    {
        var world = new TinyWorld(new LabelSet(["a", "b", "c"]));
        world.AddSet("baseline", TinyWorld.Ids("e", 6), [0, 0, 1, 1, 2, 2],
            [TinyWorld.At(-5), TinyWorld.At(5), TinyWorld.At(115), TinyWorld.At(125), TinyWorld.At(235), TinyWorld.At(245)]);
        world.AddSet("pool", TinyWorld.Ids("p", 8), new int[8],
            [TinyWorld.At(1), TinyWorld.At(2), TinyWorld.At(3), TinyWorld.At(4), TinyWorld.At(5), TinyWorld.At(121), TinyWorld.At(60), TinyWorld.At(180)],
            truth: [0, 0, 0, 1, 0, 1, SampleProvenance.NotAClass, 2]);
        return world;
    }

    [Fact]
    public void PrototypeQueriesKeepConfidentMatchesUpToTheCapWithoutAFloor()
    {
        var settings = new ClassQuerySearchSettings(Shots: 2, Threshold: 0.9, Margin: 0.1);
        var shift = new ClassQuerySearch(settings).Build(World().Context(targetSize: 9));
        Assert.Equal([3, 1, 0], shift.Report.ClassCounts);
        var idsOfA = shift.Images.Ids.Where((_, i) => shift.Images.Labels[i] == 0).ToArray();
        Assert.Equal(["p0", "p1", "p2"], idsOfA);
        Assert.DoesNotContain("p6", shift.Images.Ids);
        Assert.DoesNotContain("p7", shift.Images.Ids);
        Assert.Equal("prototype:a:2-shot", shift.Provenance[0].QueryId);
        Assert.Equal(Math.Cos(Math.PI / 180), shift.Provenance[0].Similarity!.Value, 5);
        Assert.Contains(shift.Report.Warnings, w => w.Contains("c (0)") && w.Contains("no floor"));
        Assert.Contains(shift.Report.Warnings, w => w.Contains("fewer than the target 9"));
        // Six shots need expert labels: overhead includes 6 x $0.10.
        Assert.True(shift.OverheadCost >= 0.6);
    }

    private sealed class PromptEncoder : ITextEncoder
    {
        public List<string> Seen { get; } = [];
        public string Name => "prompt-angles";
        public int Dimension => 2;
        public Embeddings Encode(IReadOnlyList<string> texts)
        {
            Seen.AddRange(texts);
            var data = texts.SelectMany(t => TinyWorld.At(t.Contains("photo of a a") ? 0 : t.Contains("photo of a b") ? 120 : 240)).ToArray();
            return new Embeddings(data, texts.Count, 2);
        }
    }

    [Fact]
    public void TextQueriesUseThePromptTemplateAndNeedAnEncoder()
    {
        var world = World();
        var settings = new ClassQuerySearchSettings(Queries: "text", Threshold: 0.9, Margin: 0.1);
        var none = Assert.Throws<SelectBenchException>(() => new ClassQuerySearch(settings).Build(world.Context(9)));
        Assert.Contains("text encoder", none.Message);

        var encoder = new PromptEncoder();
        var context = new CurationContext(world.Labels, 9, 1, world.Sets, world.Embed, e => new BruteForceSearch(e), textEncoder: encoder);
        var shift = new ClassQuerySearch(settings).Build(context);
        Assert.Equal(["a photo of a a.", "a photo of a b.", "a photo of a c."], encoder.Seen);
        Assert.Equal([3, 1, 0], shift.Report.ClassCounts);
        Assert.Equal("text:a photo of a a.", shift.Provenance[0].QueryId);
    }
}

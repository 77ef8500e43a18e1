using SelectBench.Analysis;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Curation.PostSteps;
using SelectBench.Curation.Strategies;
using SelectBench.Data;
using SelectBench.Embedding;
using SelectBench.Tests.Data;

namespace SelectBench.Tests.Curation;

/// <summary>
/// The selection strategies of issue 14 (docs/curation.md#selection-strategies), each on data planted so the right
/// answer is known: mislabels found, duplicates found, far points picked, easy examples pruned.
/// </summary>
public class SelectionStrategyTests
{
    private static readonly LabelSet AB = new(["a", "b"]);

    private static Embeddings Plane(params double[] degrees) =>
        new(degrees.SelectMany(TinyWorld.At).ToArray(), degrees.Length, 2);

    // ---- confident learning, prune_by_noise_rate ---------------------------------------------------------

    /// <summary>
    /// Eight samples, two classes. Labelled 0: a (.95,.05), b (.85,.15), c (.25,.75), d (.45,.55), e (.52,.48),
    /// f (.40,.60); labelled 1: g (.20,.80), h (.35,.65). By hand, following cleanlab:
    /// thresholds t0 = mean p0 over label 0 = 3.42 / 6 = 0.57, t1 = (0.80 + 0.65) / 2 = 0.725.
    /// Confident: a, b in class 0; c, g in class 1; d, e, f, h in none. Confident joint (rows given, columns true)
    /// [[2, 1], [0, 1]]; calibrated to the label counts 6 and 2: [[4, 2], [0, 2]] (already integers).
    /// Prune counts are its transpose: 2 samples labelled 0 are to be pruned as truly 1, those with the largest
    /// p1 - p0: c (0.5) and f (0.2); both have argmax 1, so both stay flagged. cleanlab's "confident_learning"
    /// filter flags only the off-diagonal confident sample c.
    /// </summary>
    [Fact]
    public void Prune_by_noise_rate_flags_the_hand_computed_issues()
    {
        float[] probs = [.95f, .05f, .85f, .15f, .25f, .75f, .45f, .55f, .52f, .48f, .40f, .60f, .20f, .80f, .35f, .65f];
        int[] labels = [0, 0, 0, 0, 0, 0, 1, 1];
        var report = ConfidentLearning.FindLabelIssues(probs, labels, 2);
        Assert.Equal(0.57, report.Thresholds[0], 6);
        Assert.Equal(0.725, report.Thresholds[1], 6);
        Assert.Equal(new long[,] { { 2, 1 }, { 0, 1 } }, report.ConfidentJoint);
        Assert.Equal([2], report.Flagged);
        Assert.Equal([2, 5], ConfidentLearning.PruneByNoiseRate(probs, labels, 2));
    }

    [Fact]
    public void Rounding_keeps_row_totals_like_cleanlab()
    {
        // [2.5, 1.5] rounds half to even (2, 2) and already sums to 4; [0.4, 0.4, 0.2] rounds to zeros, one short of
        // the total 1: numpy's argsort of the rounding gaps [.4, .4, .2] is [2, 0, 1], reversed [1, 0, 2], so entry 1 gets it.
        Assert.Equal(new long[,] { { 2, 2, 0 }, { 0, 1, 0 } },
            ConfidentLearning.RoundPreservingRowTotals(new double[,] { { 2.5, 1.5, 0 }, { 0.4, 0.4, 0.2 } }));
    }

    // ---- web pool --------------------------------------------------------------------------------------

    /// <summary>A pool of real images (truth alternating a, b) and distractors, with hidden truth in provenance.</summary>
    private static TinyWorld HiddenPool(int real, int distractors)
    {
        var world = new TinyWorld(AB);
        int n = real + distractors;
        var truth = Enumerable.Range(0, n).Select(i => i < real ? i % 2 : SampleProvenance.NotAClass).ToArray();
        world.AddSet("pool", TinyWorld.Ids("p", n), new int[n], truth.Select(t => TinyWorld.At(t == 1 ? 90 : t == 0 ? 0 : 45)).ToArray(), truth);
        return world;
    }

    [Fact]
    public void Simulated_web_labels_flip_the_asked_share_and_are_the_same_for_every_strategy()
    {
        var world = HiddenPool(4000, 400);
        var context = world.Context(targetSize: 100);
        var pool = WebPool.Load(context, "pool", WebPool.Simulated, 0.3, "test");
        var truth = Enumerable.Range(0, pool.Count).Select(i => ShiftAssembly.TrueLabelOf(pool.Source, i)).ToArray();
        double flipped = Enumerable.Range(0, 4000).Count(i => pool.Labels[i] != truth[i]) / 4000.0;
        Assert.InRange(flipped, 0.27, 0.33);
        Assert.All(pool.Labels, l => Assert.InRange(l, 0, 1));
        Assert.Equal(pool.Labels, WebPool.Load(context, "pool", WebPool.Simulated, 0.3, "other").Labels);
        Assert.Equal(pool.Order(context), WebPool.Load(context, "pool", WebPool.Simulated, 0.3, "other").Order(context));
        Assert.Equal(truth.Take(4000), WebPool.Load(context, "pool", WebPool.Simulated, 0, "test").Labels.Take(4000));
    }

    [Fact]
    public void Simulated_web_labels_need_a_hidden_truth()
    {
        var world = new TinyWorld(AB);
        world.AddSet("pool", TinyWorld.Ids("p", 2), [0, 1], [TinyWorld.At(0), TinyWorld.At(90)]);
        var e = Assert.Throws<BadInputException>(() => WebPool.Load(world.Context(2), "pool", WebPool.Simulated, 0.3, "web-labels"));
        Assert.Contains("web_labels: given", e.Message);
        Assert.Equal([0, 1], WebPool.Load(world.Context(2), "pool", WebPool.Given, 0.3, "web-labels").Labels);
    }

    [Fact]
    public void Web_labels_takes_N_over_K_per_web_label_for_free()
    {
        var world = HiddenPool(40, 0);
        var shift = ShiftCurator.Build(new ShiftSpec("w", "web-labels", new Dictionary<string, object?> { ["web_label_noise"] = "0" }, new PostStepSettings()),
            world.Context(targetSize: 10));
        Assert.Equal([5, 5], shift.Report.ClassCounts);
        Assert.Equal(0, shift.TotalCost);
        Assert.All(Enumerable.Range(0, shift.Images.Count), i => Assert.Equal(shift.Provenance[i].TrueLabel, shift.Images.Labels[i]));
    }

    // ---- label cleaning and embedding consensus: planted mislabels -----------------------------------------

    /// <summary>
    /// Class a: 8 images at 0..7 degrees, class b: 8 at 90..97 degrees, all web-labelled correctly, plus two planted
    /// mislabels: an image at 3.5 degrees labelled b and one at 93.5 degrees labelled a.
    /// </summary>
    private static TinyWorld PlantedMislabels()
    {
        var world = new TinyWorld(AB);
        var angles = Enumerable.Range(0, 8).Select(i => (double)i).Concat(Enumerable.Range(0, 8).Select(i => 90.0 + i)).Append(3.5).Append(93.5).ToArray();
        var labels = Enumerable.Repeat(0, 8).Concat(Enumerable.Repeat(1, 8)).Append(1).Append(0).ToArray();
        var truth = Enumerable.Repeat(0, 8).Concat(Enumerable.Repeat(1, 8)).Append(0).Append(1).ToArray();
        world.AddSet("pool", TinyWorld.Ids("p", angles.Length), labels, angles.Select(TinyWorld.At).ToArray(), truth);
        return world;
    }

    [Fact]
    public void Label_cleaning_removes_the_planted_mislabels()
    {
        var world = PlantedMislabels();
        var pool = world.Sets["pool"];
        var flagged = LabelIssueRemoval.Flag(world.Embed(pool).Normalised(), pool.Labels, 2, 4, e => new BruteForceSearch(e));
        Assert.Equal([16, 17], flagged);

        var shift = ShiftCurator.Build(new ShiftSpec("c", "label-cleaning",
            new Dictionary<string, object?> { ["web_labels"] = "given", ["neighbours"] = "4" }, new PostStepSettings()), world.Context(targetSize: 16));
        Assert.Equal(0, shift.Audit().NoiseRate);
        Assert.Equal([8, 8], shift.Report.ClassCounts);
    }

    [Fact]
    public void Label_cleaning_post_step_removes_the_planted_mislabels_from_any_labelled_shift()
    {
        var world = PlantedMislabels();
        world.Sets["baseline"] = world.Sets["pool"];
        var context = world.Context(targetSize: 18);
        var spec = new ShiftSpec("e", "expert", new Dictionary<string, object?> { ["allow_shortfall"] = "true" },
            new PostStepSettings(LabelCleaning: true, LabelCleaningNeighbours: 4));
        var shift = ShiftCurator.Build(spec, context);
        Assert.Equal(16, shift.Images.Count);
        Assert.DoesNotContain("p16", shift.Images.Ids);
        Assert.DoesNotContain("p17", shift.Images.Ids);
        Assert.Equal(2, shift.Report.Removed.Single(r => r.Step.StartsWith("label-cleaning", StringComparison.Ordinal)).Count);
    }

    [Fact]
    public void Embedding_consensus_keeps_only_images_that_agree_with_their_neighbours()
    {
        var world = PlantedMislabels();
        var pool = world.Sets["pool"];
        var shares = NeighbourLabels.Shares(world.Embed(pool).Normalised(), pool.Labels, 2, 4, e => new BruteForceSearch(e));
        // The mislabel at 3.5 degrees: its 4 nearest are a-images (3, 4, 2, 5 degrees): agreement 0 with its label b.
        Assert.Equal([1f, 0f], shares.AsSpan(16 * 2, 2).ToArray());
        var keep = EmbeddingConsensus.Keep(shares, pool.Labels, 2, 0.5);
        Assert.Equal(Enumerable.Range(0, 16), Enumerable.Range(0, keep.Length).Where(i => keep[i]));

        var shift = ShiftCurator.Build(new ShiftSpec("k", "embedding-consensus",
            new Dictionary<string, object?> { ["web_labels"] = "given", ["neighbours"] = "4" }, new PostStepSettings()), world.Context(targetSize: 16));
        Assert.Equal(0, shift.Audit().NoiseRate);
    }

    // ---- SemDeDup: planted duplicates ------------------------------------------------------------------

    [Fact]
    public void SemDeDup_removes_the_planted_near_duplicate_and_keeps_the_member_farther_from_the_centroid()
    {
        // One cluster at -10, 0, 10 and 11 degrees; its centroid is at 2.75 degrees. Ordered by cosine to it,
        // ascending: -10, 11, 10, 0. Highest cosine to an earlier member: 11 -> cos 21, 10 -> cos 1 (to 11),
        // 0 -> cos 10. Removing a quarter removes 10 degrees, the member of the 10/11 pair nearer the centroid.
        var result = SemDeDupRemoval.Deduplicate(Plane(-10, 0, 10, 11).Normalised(), clusters: 1, share: 0.25, new Random(1));
        Assert.Equal([0, 1, 3], result.Keep);
        Assert.Equal(1 - Math.Cos(Math.PI / 180), result.Epsilon, 5);
    }

    [Fact]
    public void SemDeDup_finds_every_planted_exact_duplicate()
    {
        // Ten distinct directions 36 degrees apart, and exact copies of three of them appended: removing 3 of 13
        // removes exactly the copies (ties go to the later index), whatever the clustering.
        var angles = Enumerable.Range(0, 10).Select(i => i * 36.0).Concat([36.0, 144, 288]).ToArray();
        var result = SemDeDupRemoval.Deduplicate(Plane(angles).Normalised(), clusters: 3, share: 3.0 / 13, new Random(2));
        Assert.Equal(Enumerable.Range(0, 10), result.Keep);
        Assert.Equal(0, result.Epsilon, 6);
    }

    // ---- prototype pruning -----------------------------------------------------------------------------

    [Fact]
    public void Prototype_pruning_keeps_the_hard_or_easy_end_by_the_explicit_rule()
    {
        float[] similarity = [0.9f, 0.1f, 0.5f, 0.7f];
        Assert.Equal([false, true, true, false], PrototypePruning.Keep(similarity, 0.5, hard: true));
        Assert.Equal([true, false, false, true], PrototypePruning.Keep(similarity, 0.5, hard: false));
        Assert.False(PrototypePruning.KeepsHard("auto", perClass: 200, abundantPerClass: 1000)); // scarce: easy
        Assert.True(PrototypePruning.KeepsHard("auto", perClass: 1000, abundantPerClass: 1000)); // abundant: hard
        Assert.True(PrototypePruning.KeepsHard("hard", 1, 1000));
        Assert.False(PrototypePruning.KeepsHard("easy", 5000, 1000));
    }

    [Fact]
    public void Prototype_pruning_easy_drops_the_planted_outliers()
    {
        // Class a: 6 images near 0 degrees and one outlier at 60; class b: 6 near 90 and one at 150. Two prototypes
        // sit in the two tight groups; keeping the easiest 12 of 14 drops exactly the two outliers.
        var world = new TinyWorld(AB);
        double[] angles = [0, 1, 2, 3, 4, 5, 60, 90, 91, 92, 93, 94, 95, 150];
        world.AddSet("pool", TinyWorld.Ids("p", 14), [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1], angles.Select(TinyWorld.At).ToArray());
        var shift = ShiftCurator.Build(new ShiftSpec("p", "prototype-pruning",
            new Dictionary<string, object?> { ["web_labels"] = "given", ["keep"] = "easy", ["keep_fraction"] = "0.8571428571428571" }, new PostStepSettings()),
            world.Context(targetSize: 14));
        Assert.Equal(12, shift.Images.Count);
        Assert.DoesNotContain("p6", shift.Images.Ids);
        Assert.DoesNotContain("p13", shift.Images.Ids);
    }

    // ---- k-center greedy coreset -------------------------------------------------------------------------

    [Fact]
    public void KCenter_greedy_picks_the_planted_far_points()
    {
        // Ten points within 9 degrees of 0 and three far points at 90, 180 and 270: from the first point, the next
        // centres are 180 (distance 2), then 90 and 270 (distance 1 each; the lower position first).
        var emb = Plane([.. Enumerable.Range(0, 10).Select(i => (double)i), 90, 180, 270]).Normalised();
        Assert.Equal([0, 11, 10, 12], KCenterCoreset.Greedy(emb, Enumerable.Range(0, 13).ToArray(), 4));
        // Exact duplicates never make a centre twice.
        Assert.Equal([0, 1], KCenterCoreset.Greedy(Plane(0, 0, 0).Normalised(), [0, 1, 2], 2));
    }

    // ---- EL2N and forgetting: planted mislabels score highest ------------------------------------------

    /// <summary>Two separable groups in the plane (20 images each) and two planted mislabels (indices 40, 41).</summary>
    private static (Embeddings Features, int[] Labels) SeparableWithMislabels()
    {
        var angles = Enumerable.Range(0, 20).Select(i => i * 1.0).Concat(Enumerable.Range(0, 20).Select(i => 90.0 + i)).Append(5.5).Append(95.5).ToArray();
        var labels = Enumerable.Repeat(0, 20).Concat(Enumerable.Repeat(1, 20)).Append(1).Append(0).ToArray();
        return (Plane(angles), labels);
    }

    [Theory]
    [InlineData(TrainingDynamicsScores.El2n)]
    [InlineData(TrainingDynamicsScores.Forgetting)]
    public void Training_dynamics_scores_rank_the_planted_mislabels_highest(string kind)
    {
        var (features, labels) = SeparableWithMislabels();
        var scores = TrainingDynamicsScores.Compute(kind, features, labels, 2, new ScoringRun(Epochs: 5, Runs: 2, LearningRate: 0.5, BatchSize: 8), seed: 3);
        var top = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(2).Order();
        Assert.Equal([40, 41], top);
        // A correctly labelled image is learned in the first epoch and never forgotten.
        if (kind == TrainingDynamicsScores.Forgetting) Assert.Equal(0, scores[0]);
    }

    [Fact]
    public void Score_pruning_prunes_the_lowest_share_with_ties_in_pool_order()
    {
        float[] scores = [0.5f, 0.1f, 0.1f, 0.9f];
        Assert.Equal([true, true, false, true], ScorePruning.Keep(scores, [3, 2, 1, 0], 0.25)); // 2 comes before 1 in the order: pruned first
        Assert.Equal([true, false, true, true], ScorePruning.Keep(scores, [3, 1, 2, 0], 0.25));
        Assert.Equal([false, false, false, true], ScorePruning.Keep(scores, [0, 1, 2, 3], 0.75));
    }

    [Fact]
    public void Scores_are_cached_by_content()
    {
        using var tmp = new TempFolder();
        var (features, labels) = SeparableWithMislabels();
        var run = new ScoringRun(3, 1, 0.5, 8);
        var (first, hit1) = TrainingDynamicsScores.Cached(tmp.Path, TrainingDynamicsScores.El2n, features, labels, 2, run, 1);
        var (second, hit2) = TrainingDynamicsScores.Cached(tmp.Path, TrainingDynamicsScores.El2n, features, labels, 2, run, 1);
        Assert.False(hit1);
        Assert.True(hit2);
        Assert.Equal(first, second);
        var relabelled = labels.ToArray();
        relabelled[40] = 0;
        Assert.False(TrainingDynamicsScores.Cached(tmp.Path, TrainingDynamicsScores.El2n, features, relabelled, 2, run, 1).FromCache);
        Assert.False(TrainingDynamicsScores.Cached(tmp.Path, TrainingDynamicsScores.El2n, features, labels, 2, run with { Epochs = 4 }, 1).FromCache);
        Assert.Equal(3, Directory.GetFiles(tmp.Path).Length);
    }

    private static TinyWorld MislabelledPool()
    {
        var (features, labels) = SeparableWithMislabels();
        var world = new TinyWorld(AB);
        var angles = Enumerable.Range(0, 42).Select(i => features.Row(i).ToArray()).ToArray();
        world.AddSet("pool", TinyWorld.Ids("p", 42), labels, angles);
        return world;
    }

    private static ShiftSpec El2nSpec() => new("s", "el2n-pruning", new Dictionary<string, object?>
    {
        ["web_labels"] = "given",
        ["prune_fraction"] = "0.9",
        ["cache_scores"] = "false",
        ["learning_rate"] = "0.5",
        ["batch_size"] = "8",
    }, new PostStepSettings());

    [Fact]
    public void El2n_pruning_keeps_the_hard_images()
    {
        // Pruning 0.9 of 42 leaves the 4 highest EL2N scores: the two mislabels are among them.
        var shift = ShiftCurator.Build(El2nSpec(), MislabelledPool().Context(targetSize: 40));
        Assert.Contains("p40", shift.Images.Ids);
        Assert.Contains("p41", shift.Images.Ids);
    }

    [Fact]
    public void El2n_pruning_curates_by_the_scores_its_scoring_step_left_in_the_score_folder()
    {
        // The scoring step (a run's score job) writes one score file; Build reads it instead of training again. To
        // show that it reads, the file is replaced by planted scores that make p0 and p1 the hardest images.
        using var folder = new TempFolder();
        var world = MislabelledPool();
        var strategy = (IScoringStrategy)ShiftStrategies.Registry.Create("el2n-pruning", El2nSpec().Settings, "s");
        strategy.Score(world.Context(targetSize: 40, scoreFolder: folder.Path));
        var file = Assert.Single(Directory.GetFiles(folder.Path));
        Assert.Equal(42 * sizeof(float), new FileInfo(file).Length);
        Assert.Equal(ShiftCurator.Build(El2nSpec(), world.Context(targetSize: 40)).Images.Ids,
            ShiftCurator.Build(El2nSpec(), world.Context(targetSize: 40, scoreFolder: folder.Path)).Images.Ids);

        var planted = Enumerable.Range(0, 42).Select(i => i < 2 ? 10f : i >= 40 ? -1f : 0f).ToArray();
        File.WriteAllBytes(file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(planted.AsSpan()).ToArray());
        var shift = ShiftCurator.Build(El2nSpec(), world.Context(targetSize: 40, scoreFolder: folder.Path));
        Assert.Contains("p0", shift.Images.Ids);
        Assert.Contains("p1", shift.Images.Ids);
        Assert.DoesNotContain("p40", shift.Images.Ids);
        Assert.Single(Directory.GetFiles(folder.Path)); // read, not written again

        // A score folder without these scores (another pool, labels or settings) is an error that names it, not a silent retraining.
        using var empty = new TempFolder();
        var error = Assert.Throws<BadInputException>(() => ShiftCurator.Build(El2nSpec(), world.Context(targetSize: 40, scoreFolder: empty.Path)));
        Assert.Contains(empty.Path, error.Message);
        Assert.Contains("score job", error.Message);
    }
}

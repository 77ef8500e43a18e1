using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Evaluation.Suite;
using SelectBench.Tests.Training;
using SelectBench.Training;
using SelectBench.Embedding;

namespace SelectBench.Tests.Evaluation.Suite;

public sealed class EvalSuiteTests
{
    private static readonly LabelSet Ten = LabelSet.Numbered(10);

    [Fact]
    public void Base_accuracy_matches_hand_counts_and_exports_raw_inputs()
    {
        var set = TinyData.Blocks(40, 1, size: 8);
        // Right on images 0..29, wrong (predicts the next class) on 30..39: top-1 = 0.75.
        var clf = new TableClassifier(Ten, id =>
        {
            int i = int.Parse(id), c = set.Labels[i];
            if (i < 30) return SuiteData.OneHot(c, 10);
            var p = SuiteData.OneHot((c + 1) % 10, 10, 0.8f);
            p[c] += 0.05f; // the true class is the runner-up, so top-5 is 1
            return p;
        });
        var dir = TinyData.TempFolder("base");
        var result = EvalSuite.Run(["base"], new EvalInputs { LabelSet = Ten, Classifier = clf, BaseSet = set }, dir);
        var top1 = result.Values["base_top1"];
        Assert.Equal(0.75, top1.Estimate, 10);
        Assert.True(top1.Low <= 0.75 && top1.High >= 0.75 && top1.High - top1.Low > 0.05);
        // Top-5: the true class always has the second-largest probability at worst.
        Assert.Equal(1.0, result.Values["base_top5"].Estimate, 10);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir, "base"), "*.npy"));
        var csv = File.ReadAllLines(Path.Combine(dir, "base", "base_samples.csv"));
        Assert.Equal(41, csv.Length);
        Assert.Equal(30, csv.Skip(1).Count(l => l.Split(',')[5] == "1"));
    }

    [Fact]
    public void A_model_with_other_classes_is_refused_with_a_clear_message()
    {
        var set = TinyData.Blocks(10, 1, size: 8);
        var clf = new TableClassifier(LabelSet.Numbered(5), _ => SuiteData.OneHot(0, 5));
        var e = Assert.Throws<SelectBenchException>(() =>
            EvalSuite.Run(["base"], new EvalInputs { LabelSet = Ten, Classifier = clf, BaseSet = set }, TinyData.TempFolder("bad")));
        Assert.Contains("predicts 5 classes but the label set has 10", e.Message);
    }

    [Fact]
    public void An_eval_set_with_unknown_classes_an_empty_shift_and_nan_features_are_refused_by_name()
    {
        var set = TinyData.Blocks(20, 1, size: 8);
        var clf = new TableClassifier(Ten, _ => SuiteData.OneHot(0, 10));
        var alien = new ImageSet(set.Pixels, set.Labels, LabelSet.Numbered(10, "other"), 1, 8, 8);
        var e = Assert.Throws<SelectBenchException>(() => EvalSuite.Run(["natural"], new EvalInputs
        {
            LabelSet = Ten,
            Classifier = clf,
            BaseSet = set,
            NaturalSets = [new NaturalEvalSet("sketches", alien)],
        }, TinyData.TempFolder("alien")));
        Assert.Contains("Eval set 'sketches' uses classes (other0", e.Message);

        var empty = set.Select([]);
        e = Assert.Throws<SelectBenchException>(() => EvalSuite.Run(["analytics"], new EvalInputs { LabelSet = Ten, Shift = empty },
            TinyData.TempFolder("empty")));
        Assert.Contains("the shift is empty", e.Message);

        e = Assert.Throws<SelectBenchException>(() => EvalSuite.Run(["knn"], new EvalInputs
        {
            LabelSet = Ten,
            Shift = set,
            BaseSet = set,
            Encoder = new NaNEncoder(),
        }, TinyData.TempFolder("nan")));
        Assert.Contains("Encoder 'nan' produced a non-finite feature", e.Message);
        Assert.Contains(set.Ids[0], e.Message);
    }

    private sealed class NaNEncoder : SelectBench.Encoders.IImageEncoder
    {
        public string Name => "nan";
        public int Dimension => 2;
        public void Dispose() { }
        public SelectBench.Embedding.Embeddings Encode(ImageSet images) =>
            new(Enumerable.Repeat(float.NaN, images.Count * 2).ToArray(), images.Count, 2);
    }

    [Fact]
    public void Natural_sets_restricted_to_a_class_subset_predict_among_the_subset_only()
    {
        var set = TinyData.Blocks(20, 2, size: 8).Select(Enumerable.Range(0, 20).Where(i => i % 10 < 2).ToArray());
        // The model's favourite class is always 9 (outside the subset {0,1}); second choice is the true class.
        var clf = new TableClassifier(Ten, id =>
        {
            var p = new float[10];
            p[9] = 0.6f;
            p[set.Labels[Array.IndexOf(set.Ids, id)]] = 0.3f;
            p[0] += 0.0f;
            return p;
        });
        var inputs = new EvalInputs
        {
            LabelSet = Ten,
            Classifier = clf,
            NaturalSets = [new NaturalEvalSet("subset", set, [0, 1]), new NaturalEvalSet("all", set)],
        };
        var result = EvalSuite.Run(["natural"], inputs, TinyData.TempFolder("natural"));
        Assert.Equal(1.0, result.Values["natural_subset_top1"].Estimate);
        Assert.Equal(0.0, result.Values["natural_all_top1"].Estimate);
        Assert.Equal(0.5, result.Values["natural_ood_mean"].Estimate);
    }

    [Fact]
    public void Corruption_errors_follow_hendrycks_and_dietterich()
    {
        // Model errors 0.2..0.6 over severities, clean error 0.1; reference errors 0.4..0.8, clean 0.2.
        var model = new CorruptionReference("m", 0.1, new Dictionary<string, double[]> { ["fog"] = [0.2, 0.3, 0.4, 0.5, 0.6] });
        var reference = new CorruptionReference("ref", 0.2, new Dictionary<string, double[]> { ["fog"] = [0.4, 0.5, 0.6, 0.7, 0.8] });
        var (ce, mce, rel) = CorruptionMetric.CorruptionErrors(model, reference, "ref.json");
        Assert.Equal(2.0 / 3.0, ce["fog"], 12);            // 2.0 / 3.0
        Assert.Equal(2.0 / 3.0, mce, 12);
        Assert.Equal((2.0 - 0.5) / (3.0 - 1.0), rel["fog"], 12); // (sum E - 5 E_clean) / (sum E_ref - 5 E_ref_clean)
    }

    [Fact]
    public void Corruption_metric_scores_every_cell_and_uses_a_reference_for_mce()
    {
        var set = TinyData.Blocks(20, 3, size: 8);
        var clf = new TableClassifier(Ten, id => SuiteData.OneHot(set.Labels[int.Parse(id)], 10));
        var dir = TinyData.TempFolder("corr");
        var first = EvalSuite.Run(["corruptions"], new EvalInputs { LabelSet = Ten, Classifier = clf, BaseSet = set }, dir);
        Assert.Equal(1.0, first.Values["corruption_top1_mean"].Estimate); // a label-reading model is immune
        Assert.Equal(15, first.Values.Keys.Count(k => k.StartsWith("corruption_") && k.EndsWith("_top1") && k != "corruption_clean_top1"));
        var referencePath = Path.Combine(dir, "ref.json");
        AtomicFile.WriteJson(referencePath, new CorruptionReference("ref", 0.5,
            SelectBench.Evaluation.Corruptions.Corruptions.Names.ToDictionary(n => n, _ => new[] { 0.5, 0.5, 0.5, 0.5, 0.5 })));
        var second = EvalSuite.Run(["corruptions"], new EvalInputs { LabelSet = Ten, Classifier = clf, BaseSet = set, CorruptionReferencePath = referencePath }, TinyData.TempFolder("corr2"));
        Assert.Equal(0.0, second.Values["mce"].Estimate);
    }

    [Fact]
    public void Knn_label_quality_and_image_quality_on_separable_blocks()
    {
        var shift = TinyData.Blocks(200, 4, size: 8);
        var baseSet = TinyData.Blocks(100, 5, size: 8);
        // Flip every 11th label (18 of 200, spread over all classes) and keep the truth in provenance.
        var labels = shift.Labels.ToArray();
        var prov = new SampleProvenance[shift.Count];
        for (int i = 0; i < shift.Count; i++)
        {
            prov[i] = new SampleProvenance("test", shift.Ids[i], TrueLabel: labels[i]);
            if (i % 11 == 3) labels[i] = (labels[i] + 5) % 10;
        }
        var noisy = new ImageSet(shift.Pixels, labels, Ten, 1, 8, 8, shift.Ids, prov);
        var inputs = new EvalInputs
        {
            LabelSet = Ten,
            Shift = noisy,
            BaseSet = baseSet,
            ReferenceSet = shift,
            Encoder = new PixelEncoder(),
            LeakageSets = [new NaturalEvalSet("shift-copy", shift.Select([0, 1, 2]))],
        };
        var quality = new QualitySettings(NeighbourK: 10);
        var r = EvalSuite.Run([new SslKnnMetric(new SslKnnSettings()), new LabelQualityMetric(new LabelQualitySettings(quality)),
            new ImageQualityMetric(new ImageQualitySettings(quality)), new DatasetAnalyticsMetric(new DatasetAnalyticsSettings())], inputs, TinyData.TempFolder("quality"));
        Assert.True(r.Values["knn_top1_k20"].Estimate >= 0.85, $"kNN top-1 {r.Values["knn_top1_k20"].Estimate}");
        Assert.Equal(Enumerable.Range(0, 200).Count(i => i % 11 == 3) / 200.0, r.Values["label_noise_true"].Estimate, 10);
        Assert.InRange(r.Values["label_noise_est"].Estimate, 0.06, 0.13);
        Assert.Equal(3, r.Values["leakage"].Estimate);
        Assert.Equal(0, r.Values["fid"].Estimate, 6);
        Assert.Equal(0, r.Values["cmmd"].Estimate, 6);
        Assert.Equal(10, r.Values["coverage"].Estimate);
        Assert.Equal(0, r.Values["lt"].Estimate);
    }

    [Fact]
    public void Transfer_fine_tunes_a_checkpoint_on_a_new_task_far_above_chance()
    {
        var dir = TinyData.TempFolder("transfer");
        var recipe = new TrainingRecipe(Model: "resnet20", Width: 0.25, Epochs: 2, BatchSize: 20, LearningRate: 0.05,
            Augmentation: new AugmentationSettings(Crop: "none", HorizontalFlip: false), Seed: 1, Threads: 1);
        var trained = new Trainer(recipe, new TrainerOptions(ShowProgress: false)).Train(TinyData.Blocks(100, 6, size: 8), null, null, dir);
        // New task: is the lit block in the top half (classes 0-3, 4-7 rows 0-1) or not: 2 classes.
        static ImageSet Halves(ImageSet s) => new(s.Pixels, s.Labels.Select(l => l < 8 && l / 4 == 0 ? 0 : 1).ToArray(),
            new LabelSet(["top", "bottom"]), 1, 8, 8, s.Ids);
        var task = new TransferTask("halves", Halves(TinyData.Blocks(100, 7, size: 8)), Halves(TinyData.Blocks(60, 8, size: 8)));
        var settings = new TransferMetricSettings(new TransferSettings(Steps: 60, LearningRate: 0.05, DecayEvery: 40, BatchSize: 20, InputSize: 0, Momentum: 0.9));
        var r = EvalSuite.Run([new TransferMetric(settings)], new EvalInputs { LabelSet = Ten, CheckpointPath = trained.CheckpointPath, TransferTasks = [task] }, Path.Combine(dir, "eval"));
        var top1 = r.Values["transfer_halves_top1"];
        Assert.True(top1.Estimate > 0.8, $"transfer top-1 {top1.Estimate}");
        Assert.Equal(1.96 * Math.Sqrt(top1.Estimate * (1 - top1.Estimate) / 60), (top1.High - top1.Low) / 2, 6);
        Assert.Equal(top1.Estimate, r.Values["transfer_mean"].Estimate);
    }

    [Fact]
    public void A_finished_metric_is_not_run_again()
    {
        var set = TinyData.Blocks(10, 1, size: 8);
        int calls = 0;
        var clf = new TableClassifier(Ten, id => { Interlocked.Increment(ref calls); return SuiteData.OneHot(set.Labels[int.Parse(id)], 10); });
        var dir = TinyData.TempFolder("resume");
        var inputs = new EvalInputs { LabelSet = Ten, Classifier = clf, BaseSet = set };
        EvalSuite.Run(["base"], inputs, dir);
        int afterFirst = calls;
        var again = EvalSuite.Run(["base"], inputs, dir);
        Assert.Equal(afterFirst, calls);
        Assert.Equal(1.0, again.Values["base_top1"].Estimate);
        EvalSuite.Run(["base"], inputs, dir, force: true);
        Assert.True(calls > afterFirst);
    }

    [Fact]
    public void Metrics_share_one_forward_pass_per_image_set()
    {
        var set = TinyData.Blocks(10, 1, size: 8);
        int calls = 0;
        var clf = new TableClassifier(Ten, id => { Interlocked.Increment(ref calls); return SuiteData.OneHot(set.Labels[int.Parse(id)], 10); });
        var inputs = new EvalInputs { LabelSet = Ten, Classifier = clf, BaseSet = set, Shift = set, NaturalSets = [new NaturalEvalSet("same", set)] };
        EvalSuite.Run(["base", "natural", "analytics"], inputs, TinyData.TempFolder("memo"));
        Assert.Equal(set.Count, calls);
    }

    [Fact]
    public void Unknown_metric_names_list_the_known_ones()
    {
        var e = Assert.Throws<SelectBenchException>(() => EvalMetrics.Create("accuracy"));
        Assert.Contains("base", e.Message);
        Assert.Contains("image-quality", e.Message);
    }
}

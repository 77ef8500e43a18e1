using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Embedding;

namespace SelectBench.Evaluation.Suite;

/// <summary>Checks and shared conversions the metrics use on <see cref="EvalInputs"/>.</summary>
internal static class SuiteInputs
{
    /// <summary>Refuses inputs that lack what <paramref name="required"/> names, with a message that says what to give.</summary>
    public static void Check(EvalInputs inputs, MetricInputs required, string metric)
    {
        bool Needs(MetricInputs input) => (required & input) != 0;
        if (Needs(MetricInputs.Model)) Classifier(inputs, metric);
        if (Needs(MetricInputs.Checkpoint) && inputs.CheckpointPath == null)
            throw new SelectBenchException($"Metric '{metric}' fine-tunes the model, so it needs a SelectBench checkpoint (an ONNX model cannot be fine-tuned).");
        if (Needs(MetricInputs.BaseSet)) BaseSet(inputs, metric);
        if (Needs(MetricInputs.NaturalSets) && inputs.NaturalSets.Count == 0)
            throw new SelectBenchException($"Metric '{metric}' needs at least one natural-shift eval set.");
        if (Needs(MetricInputs.CorruptedSets) && inputs.CorruptedSetCacheFolder == null)
            throw new SelectBenchException($"Metric '{metric}' needs the folder of corrupted sets made for this base set.");
        if (Needs(MetricInputs.TransferTasks) && inputs.TransferTasks.Count == 0)
            throw new SelectBenchException($"Metric '{metric}' needs at least one transfer task.");
        if (Needs(MetricInputs.Shift)) Shift(inputs, metric);
        if (Needs(MetricInputs.ReferenceSet) && inputs.ReferenceSet == null)
            throw new SelectBenchException($"Metric '{metric}' needs a reference set (the expert baseline) to compare the shift with.");
        if (Needs(MetricInputs.ReferenceModel) && inputs.ReferenceClassifier == null)
            throw new SelectBenchException($"Metric '{metric}' needs a reference model (one trained on the expert shift).");
        if (Needs(MetricInputs.Encoder)) Encoder(inputs, metric);
        if (Needs(MetricInputs.LeakageSets) && inputs.LeakageSets.Count == 0)
            throw new SelectBenchException($"Metric '{metric}' needs at least one eval set to check for leaked shift images.");
        if (Needs(MetricInputs.ExpertPerClass) && (inputs.ExpertPerClassAccuracy == null || inputs.ExpertClassCounts == null))
            throw new SelectBenchException($"Metric '{metric}' needs the expert model's per-class accuracy and the expert shift's class counts.");
        if (Needs(MetricInputs.CorruptionReference) && inputs.CorruptionReferencePath == null)
            throw new SelectBenchException($"Metric '{metric}' needs a reference model's corruption errors (--corruption-reference corruption_errors.json).");
    }

    public static IImageClassifier Classifier(EvalInputs inputs, string metric) =>
        inputs.Classifier ?? throw new SelectBenchException($"Metric '{metric}' needs a model: give --model <checkpoint|onnx>.");

    public static ImageSet BaseSet(EvalInputs inputs, string metric) =>
        inputs.BaseSet ?? throw new SelectBenchException($"Metric '{metric}' needs a base eval set (--data).");

    public static ImageSet Shift(EvalInputs inputs, string metric)
    {
        var shift = inputs.Shift ?? throw new SelectBenchException($"Metric '{metric}' needs a shift (--shift).");
        if (shift.Count == 0) throw new SelectBenchException($"Metric '{metric}': the shift is empty; there is nothing to measure.");
        return shift;
    }

    public static IImageEncoder Encoder(EvalInputs inputs, string metric) =>
        inputs.Encoder ?? throw new SelectBenchException($"Metric '{metric}' needs an encoder (--encoder).");

    /// <summary>Embeddings through the cache when one is configured; NaN or infinite features are an error naming the encoder.</summary>
    public static Embeddings Embed(EvalInputs inputs, IImageEncoder encoder, ImageSet images, string what)
    {
        var e = inputs.EmbeddingCacheFolder is { } folder
            ? EmbeddingCache.GetOrCompute(encoder, images, folder)
            : encoder.Encode(images);
        for (int i = 0; i < e.Data.Length; i++)
            if (!float.IsFinite(e.Data[i]))
                throw new SelectBenchException($"Encoder '{encoder.Name}' produced a non-finite feature for {what} (image {i / e.Dimension}, '{images.Ids[i / e.Dimension]}'). Check the encoder and its input normalisation.");
        return e;
    }

    /// <summary>Requires a model and an eval set to speak about the same classes, in the same order.</summary>
    public static void CheckLabels(IImageClassifier classifier, LabelSet expected, string where)
    {
        var got = classifier.LabelSet;
        if (got.Count != expected.Count)
            throw new SelectBenchException($"{where}: the model '{classifier.Name}' predicts {got.Count} classes but the label set has {expected.Count}. Evaluate it on data with its own label set.");
        for (int i = 0; i < got.Count; i++)
            if (got.Names[i] != expected.Names[i] && got.Ids[i] != expected.Ids[i])
                throw new SelectBenchException($"{where}: class {i} is '{got.Names[i]}' in the model '{classifier.Name}' but '{expected.Names[i]}' in the label set. The class order must match.");
    }

    public static void CheckSet(ImageSet set, LabelSet expected, string name)
    {
        if (!set.LabelSet.SameAs(expected))
            throw new SelectBenchException($"Eval set '{name}' uses classes ({string.Join(", ", set.LabelSet.Names.Take(5))}, ...) that differ from the label set ({string.Join(", ", expected.Names.Take(5))}, ...). Map it to the label set first.");
    }
}

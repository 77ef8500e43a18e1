using SelectBench.Engine;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Evaluation.Metrics;
using SelectBench.Models;
using SelectBench.Training;
using TorchSharp;
using static TorchSharp.torch;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>Transfer protocol (paper: plain SGD lr 0.01, x0.1 every 300 steps, 1000 steps, batch 64, 64x64, no augmentation).</summary>
/// <param name="InputSize">Side of the fine-tuning input; 0 = the checkpoint's own input size.</param>
public sealed record TransferSettings(int Steps = 1000, double LearningRate = 0.01, int DecayEvery = 300, double DecayFactor = 0.1,
    int BatchSize = 64, int InputSize = 64, double Momentum = 0, int Seed = 0) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.Positive(where, "steps", Steps);
        SettingRules.Positive(where, "learning_rate", LearningRate);
        SettingRules.NonNegative(where, "decay_every", DecayEvery);
        SettingRules.NonNegative(where, "decay_factor", DecayFactor);
        SettingRules.Positive(where, "batch_size", BatchSize);
        SettingRules.NonNegative(where, "input_size", InputSize);
        SettingRules.InRange(where, "momentum", Momentum, 0, 1);
    }
}

/// <summary>Settings of the transfer metric (the run config's <c>evaluation.transfer</c>).</summary>
public sealed record TransferMetricSettings(TransferSettings? Transfer = null) : ISettings
{
    public TransferSettings Transfer { get; init; } = Transfer ?? new TransferSettings();

    public void Validate(string where) => Transfer.Validate($"{where}.transfer");
}

/// <summary>
/// Transfer (docs/metrics.md; SELECT Table 2 "avg transfer", protocol from the paper's repository): for each
/// downstream task, replace the head, fine-tune all weights with plain SGD (lr 0.01, x0.1 every 300 steps,
/// 1000 steps, batch 64), inputs resized to 64x64 and normalised with the task's own per-channel mean and
/// std, no augmentation; then top-1 on the task's test split with the paper's interval
/// ±1.96·sqrt(acc(1−acc)/n). The score is the plain mean over tasks. Every constant is a setting
/// (<see cref="TransferSettings"/>) so small profiles can shorten it.
/// </summary>
[Registered(Name, Description = "fine-tunes the model on each downstream task and reports test top-1 and their mean",
    Settings = typeof(TransferMetricSettings))]
public sealed class TransferMetric(TransferMetricSettings settings) : IEvalMetric
{
    public const string Name = "transfer";
    public const string MeanKey = "transfer_mean";
    public const string TaskPrefix = "transfer_", TaskSuffix = "_top1";

    /// <summary>Test top-1 on one downstream task.</summary>
    public static string TaskKey(string task) => TaskPrefix + NaturalOodMetric.Safe(task) + TaskSuffix;

    public MetricDeclaration Declaration { get; } = new(MetricScope.Model, MetricInputs.Checkpoint | MetricInputs.TransferTasks, "Transfer",
        [new MetricPanel("top-1", [MeanKey], TaskPrefix, TaskSuffix)], [MeanKey])
    {
        Order = 40,
        InDefaultSuite = true,
        Console = [new(MeanKey, "transfer")],
        Headline = [MeanKey],
        RankAgreement = [MeanKey],
    };

    public MetricResult Compute(EvalInputs inputs, string folder, CancellationToken cancellationToken)
    {
        var checkpoint = inputs.CheckpointPath
            ?? throw new SelectBenchException($"Metric '{Name}' fine-tunes the model, so it needs a SelectBench checkpoint (an ONNX model cannot be fine-tuned).");
        if (inputs.TransferTasks.Count == 0)
            throw new SelectBenchException($"Metric '{Name}' needs at least one transfer task.");
        var transfer = settings.Transfer;
        var values = new Dictionary<string, Interval>();
        var details = new List<object>();
        foreach (var task in inputs.TransferTasks)
        {
            var (accuracy, lossCurve) = FineTuneAndScore(checkpoint, task, transfer, cancellationToken);
            var interval = SeedStatistics.BinomialInterval(accuracy, task.Test.Count);
            values[TaskKey(task.Name)] = interval;
            details.Add(new { task = task.Name, classes = task.Train.LabelSet.Count, train = task.Train.Count, test = task.Test.Count, top1 = accuracy, loss_every_50_steps = lossCurve });
        }
        var tops = values.Values.Select(v => v.Estimate).ToArray();
        values[MeanKey] = new Interval(tops.Average(), values.Values.Average(v => v.Low), values.Values.Average(v => v.High), tops.Length);
        return new MetricResult(values, new { settings = transfer, tasks = details });
    }

    /// <summary>Fine-tunes a fresh copy of the checkpoint on the task and returns test top-1 and the training loss curve.</summary>
    public static (double Top1, double[] LossCurve) FineTuneAndScore(string checkpoint, TransferTask task, TransferSettings s,
        CancellationToken cancellationToken = default)
    {
        if (task.Train.Count == 0 || task.Test.Count == 0)
            throw new SelectBenchException($"Transfer task '{task.Name}' has an empty train or test split.");
        if (!task.Train.LabelSet.SameAs(task.Test.LabelSet))
            throw new SelectBenchException($"Transfer task '{task.Name}': train and test splits use different label sets.");
        var (meta, model) = TrainingCheckpoint.LoadModel(checkpoint);
        using var _ = model;
        using var generator = new Generator(Seeds.TransferHead(s.Seed), CPU);
        model.ReplaceHead(task.Train.LabelSet.Count, generator);
        int side = s.InputSize > 0 ? s.InputSize : meta.Height;
        int channels = meta.Model.Channels;
        // Per-task normalisation (the paper uses each dataset's own mean and std), computed on the training split
        // after conforming to the model's channel count.
        var normalization = InputNormalization.FromImages(task.Train);
        if (normalization.Mean.Length != channels)
        {
            float m = normalization.Mean.Average(), sd = normalization.Std.Average();
            normalization = new InputNormalization(Enumerable.Repeat(m, channels).ToArray(), Enumerable.Repeat(sd, channels).ToArray());
        }
        var optimizer = new ScalarSafeSgd(model.parameters(), s.LearningRate, momentum: s.Momentum);
        var losses = new List<double>();
        double running = 0;
        int counted = 0;
        using (var data = new ImageTensors(task.Train))
        using (var progress = new ProgressBar($"transfer {task.Name}", s.Steps))
        {
            model.train();
            var order = randperm(task.Train.Count, generator: generator);
            int at = 0;
            for (int step = 0; step < s.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // A new permutation when the current one runs out; made outside the step's dispose scope so it lives on.
                if (at + s.BatchSize > task.Train.Count)
                {
                    order.Dispose();
                    order = randperm(task.Train.Count, generator: generator);
                    at = 0;
                }
                using var scope = NewDisposeScope();
                double lr = s.LearningRate * Math.Pow(s.DecayFactor, step / Math.Max(1, s.DecayEvery));
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                int n = Math.Min(s.BatchSize, task.Train.Count);
                var idx = order.narrow(0, at, n);
                at += n;
                var x = ImageTensors.Conform(data.Batch(idx, CPU), channels, side, side);
                ImageTensors.Normalize(x, normalization);
                var y = data.BatchLabels(idx, CPU);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(x), y);
                double value = loss.item<float>();
                if (!double.IsFinite(value))
                    throw new SelectBenchException($"Transfer task '{task.Name}': the loss became {value} at step {step}. Lower the transfer learning rate.");
                loss.backward();
                optimizer.step();
                running += value;
                counted++;
                if ((step + 1) % 50 == 0 || step == s.Steps - 1)
                {
                    losses.Add(running / counted);
                    running = 0;
                    counted = 0;
                }
                progress.Report(step + 1, $"loss={value:F3}");
            }
            order.Dispose();
        }
        var probs = ModelInference.PredictProbabilities(model, normalization, side, side, task.Test, CPU);
        double top1 = ClassificationMetrics.TopK(probs, task.Test.Labels, task.Test.LabelSet.Count, 1);
        return (top1, losses.ToArray());
    }
}

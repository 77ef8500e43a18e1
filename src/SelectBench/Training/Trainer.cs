using SelectBench.Engine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Evaluation;
using SelectBench.Models;
using TorchSharp;
using static TorchSharp.torch;
using SelectBench.Statistics;

namespace SelectBench.Training;

/// <summary>How a training call behaves around the recipe (not part of the recipe's identity).</summary>
/// <param name="Force">Discard an existing checkpoint of another recipe or data set in the output folder instead of failing.</param>
/// <param name="ShowProgress">Draw the per-epoch progress bar.</param>
/// <param name="StopAfterEpochs">Stop once this many epochs in total are done, leaving the checkpoint to
/// resume from (for time-sliced jobs; the recipe and its schedule are unchanged). Null = run to the end.</param>
/// <param name="EvalBatchSize">Batch size for validation and test passes.</param>
/// <param name="Cancellation">Checked before every step (Ctrl-C in a run): training stops with
/// OperationCanceledException and resumes from the last epoch checkpoint when rerun.</param>
/// <param name="SkippedTrainingInputs">The inputs the data loader left out of the training data (the skip policy,
/// <see cref="DataLoadResult.Skipped"/>), recorded in metrics.json; null when the caller does not know (the field is then left out).</param>
/// <param name="LoaderWorkers">Decode threads of the <see cref="ParallelLoader"/> for out-of-core training sets; null = one per core.
/// Speed only: the batches are the same for any number.</param>
/// <param name="LoaderPrefetch">Batches the loader prepares ahead of the training step.</param>
/// <param name="StopAfterSteps">Out-of-core sets: stop once this many steps in total are done, with a mid-epoch
/// checkpoint to resume from exactly (docs/training.md "Checkpoint format and resume"). Null = no step limit.</param>
/// <param name="CheckpointEverySteps">Out-of-core sets: also write a mid-epoch checkpoint every this many steps
/// (long ImageNet-sized epochs); null = only at the end of each epoch, on cancellation and at <paramref name="StopAfterSteps"/>.</param>
public sealed record TrainerOptions(bool Force = false, bool ShowProgress = true, int? StopAfterEpochs = null, int EvalBatchSize = 256,
    CancellationToken Cancellation = default, IReadOnlyList<SkippedInput>? SkippedTrainingInputs = null,
    int? LoaderWorkers = null, int LoaderPrefetch = 4, long? StopAfterSteps = null, int? CheckpointEverySteps = null);

/// <summary>The final metrics JSON (snake_case). <c>top1</c> is the test top-1 (docs/metrics.md "base accuracy").</summary>
public sealed record TrainingMetrics(
    double? Top1,
    double? Top5,
    double? BalancedAccuracy,
    string[] ClassNames,
    double?[]? PerClassAccuracy,
    double?[]? PerClassPrecision,
    int[][]? ConfusionMatrix,
    int Epochs,
    double Seconds,
    double ImagesPerSecond,
    int TrainImages,
    int? TestImages,
    string Model,
    int Seed,
    double FinalTrainLoss,
    double FinalTrainAccuracy,
    string RecipeHash,
    bool ResumedFromCheckpoint,
    IReadOnlyList<SkippedInput>? SkippedTrainingInputs = null);

/// <summary>What <see cref="Trainer.Train"/> produced. <see cref="Metrics"/> is null when the run stopped early.</summary>
public sealed record TrainingResult(string Folder, string CheckpointPath, int EpochsDone, TrainingMetrics? Metrics);

/// <summary>
/// Trains a zoo model with a <see cref="TrainingRecipe"/>: SGD with momentum, warm-up + cosine schedule,
/// optional class-weighted loss, balanced sampler, batched augmentation and mixup/cutmix. Writes, in the
/// output folder: <c>checkpoint.ckpt</c> (every epoch, atomically; the final one is the trained model),
/// <c>log.csv</c> (one row per epoch), <c>recipe.json</c>, and at the end <c>metrics.json</c> plus the
/// test predictions as .npy. Rerunning on the same folder resumes from the checkpoint.
/// </summary>
public sealed class Trainer
{
    public const string CheckpointFile = "checkpoint.ckpt";
    public const string LogFile = "log.csv";
    public const string MetricsFile = "metrics.json";
    public const string RecipeFile = "recipe.json";

    private readonly TrainingRecipe recipe;
    private readonly TrainerOptions options;

    public Trainer(TrainingRecipe recipe, TrainerOptions? options = null)
    {
        this.recipe = recipe.Validate();
        this.options = options ?? new TrainerOptions();
    }

    /// <summary>"cpu", or "cuda" when libtorch sees a GPU (else an error that says how to get one).</summary>
    public static Device ResolveDevice(string name)
    {
        if (name == "cpu") return CPU;
        if (name != "cuda") throw new SelectBenchException($"Unknown device '{name}': use 'cpu' or 'cuda'.");
        if (!cuda.is_available())
            throw new SelectBenchException(
                "--device cuda: libtorch sees no CUDA device. This build references the CPU-only TorchSharp-cpu package; " +
                "rebuild with 'dotnet build -c Release -p:TorchBackend=cuda' (docs/benchmark.md, \"Building for CUDA\") and check nvidia-smi.");
        return CUDA;
    }

    /// <summary>
    /// Three independent seeds from the recipe seed (SplitMix64 finaliser), for the init, order and augment
    /// generators: changing how many numbers one stream draws never shifts the others.
    /// </summary>
    public static ulong StreamSeed(int seed, int stream) => Seeds.TrainingStream(seed, stream);

    /// <summary>The training set's <see cref="ContentFingerprint"/> (pixels, ids, labels, label set): a resume must see the same training data.</summary>
    public static string DataFingerprint(ImageSet images) => ContentFingerprint.Of(images);

    /// <summary>
    /// Batch boundaries for one epoch of <paramref name="count"/> samples: batches of
    /// <paramref name="batchSize"/>, the remainder as a last batch, except that a remainder of a single
    /// sample joins the previous batch (batch norm cannot train on one sample).
    /// </summary>
    public static IReadOnlyList<(int Start, int Length)> Batches(int count, int batchSize)
    {
        var batches = new List<(int, int)>();
        for (int start = 0; start < count; start += batchSize) batches.Add((start, Math.Min(batchSize, count - start)));
        if (batches.Count > 1 && batches[^1].Item2 == 1)
        {
            var (s, l) = batches[^2];
            batches[^2] = (s, l + 1);
            batches.RemoveAt(batches.Count - 1);
        }
        return batches;
    }

    public TrainingResult Train(ImageSet train, ImageSet? validation, ImageSet? test, string outDir)
    {
        if (train.Count < 2) throw new SelectBenchException($"Training needs at least 2 images; the training set has {train.Count}.");
        foreach (var (set, name) in new[] { (validation, "validation"), (test, "test") })
            if (set is not null && !set.LabelSet.SameAs(train.LabelSet))
                throw new SelectBenchException($"The {name} set's label set differs from the training set's; evaluate on data with the same classes.");
        var device = ResolveDevice(recipe.Device);
        TorchEngine.EnsureReady(recipe.Threads);
        Directory.CreateDirectory(outDir);
        var checkpointPath = Path.Combine(outDir, CheckpointFile);
        var recipeHash = recipe.Hash();
        var fingerprint = DataFingerprint(train);
        int classes = train.LabelSet.Count;

        CheckpointMetadata? resumed = ResumePoint(checkpointPath, recipeHash, fingerprint);
        // Out-of-core sets train through the parallel loader (docs/training.md "The parallel loader"); in-memory
        // sets keep the batched tensor path, whose results must not change.
        bool streamed = train.Encoded is not null;
        if (resumed?.MidEpoch is not null && !streamed)
            throw new BadInputException(checkpointPath, "holds a mid-epoch position, which only out-of-core training sets write; use a new --out folder.");
        AtomicFile.WriteJson(Path.Combine(outDir, RecipeFile), recipe);

        using var initGenerator = new Generator(StreamSeed(recipe.Seed, 1), CPU);
        using var orderGenerator = new Generator(StreamSeed(recipe.Seed, 2), CPU);
        using var augmentGenerator = new Generator(StreamSeed(recipe.Seed, 3), CPU);

        ClassifierNet model;
        optim.Optimizer optimizer;
        InputNormalization normalization;
        var log = new List<EpochLogRow>();
        double trainSeconds = 0;
        long imagesSeen = 0;
        if (resumed is not null)
        {
            var (meta, m, opt) = TrainingCheckpoint.Load(checkpointPath, MakeOptimizer, device);
            model = m;
            optimizer = opt!;
            normalization = meta.Normalization;
            TrainingCheckpoint.RestoreRng(orderGenerator, meta.OrderRngState, checkpointPath);
            TrainingCheckpoint.RestoreRng(augmentGenerator, meta.AugmentRngState, checkpointPath);
            log.AddRange(meta.Log);
            trainSeconds = meta.TrainSeconds;
            imagesSeen = meta.ImagesSeen;
        }
        else
        {
            model = ModelZoo.Create(recipe.Model, train.Channels, classes, recipe.Width, initGenerator);
            if (recipe.Init is not null) TorchvisionWeights.Initialise(model, recipe.Init);
            model.to(device);
            optimizer = MakeOptimizer(model);
            normalization = streamed ? InputNormalization.FromSample(train, NormalizationSample) : InputNormalization.FromImages(train);
        }
        if (device.type == DeviceType.CUDA) CudaLayout.UseChannelsLast(model); // docs/benchmark.md, "On a GPU"
        var spec = new ModelSpec(recipe.Model, train.Channels, classes, recipe.Width);
        int startEpoch = resumed?.Epoch ?? 0;

        using var _model = model;
        using var _optimizer = optimizer as IDisposable;
        using var data = streamed ? null : new ImageTensors(train);
        using var classWeights = recipe.ClassWeightedLoss
            ? tensor(ClassWeights.InverseFrequency(train.ClassCounts()), device: device) : null;
        using var samplingProbabilities = recipe.ClassBalancedSampler
            ? tensor(ClassWeights.BalancedSamplingProbabilities(train.Labels, train.ClassCounts()), dtype: ScalarType.Float64) : null;

        var batches = Batches(train.Count, recipe.BatchSize);
        long stepsPerEpoch = batches.Count;
        long totalSteps = stepsPerEpoch * recipe.Epochs;
        long warmupSteps = LearningRateSchedule.WarmupSteps(recipe.WarmupEpochs, stepsPerEpoch);
        string crop = recipe.Augmentation.CropFor(train.Height, train.Width);
        bool mixing = recipe.MixupAlpha > 0 || recipe.CutmixAlpha > 0;
        int stopAt = Math.Min(recipe.Epochs, options.StopAfterEpochs ?? recipe.Epochs);
        var loader = streamed ? MakeLoader(train, crop, device) : null;
        double[]? loaderProbabilities = streamed && recipe.ClassBalancedSampler
            ? ClassWeights.BalancedSamplingProbabilities(train.Labels, train.ClassCounts()) : null;

        CheckpointMetadata Metadata(int epochsDone, MidEpochState? midEpoch) =>
            new(spec, train.Height, train.Width, train.LabelSet.Names.ToArray(), train.LabelSet.Ids.ToArray(),
                normalization, epochsDone, recipe.Epochs, recipeHash, recipe.IdentityJson(), fingerprint,
                TrainingCheckpoint.EncodeRng(orderGenerator), TrainingCheckpoint.EncodeRng(augmentGenerator),
                log.ToArray(), trainSeconds, imagesSeen, midEpoch);

        for (int epoch = startEpoch; epoch < stopAt; epoch++)
        {
            var clock = Stopwatch.StartNew();
            model.train();
            // The loader's order is a function of (seed, epoch), redrawn on resume; the in-memory path's comes from
            // the order generator, as it always has.
            using var order = streamed ? null : samplingProbabilities is null
                ? randperm(train.Count, generator: orderGenerator)
                : samplingProbabilities.multinomial(train.Count, replacement: true, generator: orderGenerator);
            int[]? loaderOrder = !streamed ? null : loaderProbabilities is null
                ? EpochOrder.Shuffled(train.Count, recipe.Seed, epoch)
                : EpochOrder.Sampled(loaderProbabilities, recipe.Seed, epoch);
            double lossSum = 0, lr = 0, carriedSeconds = 0;
            long correct = 0, seen = 0;
            int fromStep = 0;
            if (epoch == startEpoch && resumed?.MidEpoch is { } mid)
                (fromStep, lossSum, correct, seen, carriedSeconds) = (mid.Step, mid.LossSum, mid.Correct, mid.Seen, mid.Seconds);
            using var bar = options.ShowProgress ? new ProgressBar($"epoch {epoch + 1}/{recipe.Epochs}", stepsPerEpoch) : null;
            using var loaded = loader?.Epoch(epoch, loaderOrder!, batches, fromStep, options.Cancellation).GetEnumerator();
            for (int step = fromStep; step < batches.Count; step++)
            {
                MidEpochState Position() => new(step, lossSum, correct, seen, carriedSeconds + clock.Elapsed.TotalSeconds);
                if (streamed && step > fromStep && options.Cancellation.IsCancellationRequested)
                    TrainingCheckpoint.Save(checkpointPath, Metadata(epoch, Position()), model, optimizer);
                options.Cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                long globalStep = epoch * stepsPerEpoch + step;
                lr = LearningRateSchedule.At(globalStep, totalSteps, warmupSteps, recipe.LearningRate);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;

                var (start, length) = batches[step];
                Tensor x, y;
                if (loaded is null)
                {
                    var idx = order!.narrow(0, start, length);
                    x = data!.Batch(idx, device);
                    y = data.BatchLabels(idx, device);
                }
                else
                {
                    if (!loaded.MoveNext()) throw new InvalidOperationException($"the loader ended before step {step + 1} of epoch {epoch + 1}");
                    // Pinned batch memory (on CUDA) lets the copy overlap; the uint8 batch becomes float on the device.
                    x = Scalars.DivInPlace(CudaLayout.ToDevice(loaded.Current, device).to(ScalarType.Float32), 255);
                    var labels = new long[length];
                    for (int k = 0; k < length; k++) labels[k] = train.Labels[loaderOrder![start + k]];
                    y = tensor(labels, dtype: ScalarType.Int64).to(device);
                }
                x = crop switch
                {
                    "pad" => BatchAugmenter.RandomCrop(x, recipe.Augmentation.CropPadding, augmentGenerator),
                    "resized" when !streamed => BatchAugmenter.RandomResizedCrop(x, recipe.Augmentation.ResizedCropMinScale, augmentGenerator),
                    _ => x,
                };
                if (recipe.Augmentation.HorizontalFlip && !streamed) x = BatchAugmenter.HorizontalFlip(x, augmentGenerator);
                ImageTensors.Normalize(x, normalization);
                if (device.type == DeviceType.CUDA) x = CudaLayout.ChannelsLast(x);

                Tensor logits, loss;
                if (mixing)
                {
                    var (mixed, targets) = BatchAugmenter.MixupCutmix(x, y, classes, recipe.MixupAlpha, recipe.CutmixAlpha,
                                                                      recipe.LabelSmoothing, augmentGenerator);
                    logits = model.forward(mixed);
                    loss = SoftTargetCrossEntropy(logits, targets.to(device), classWeights);
                }
                else
                {
                    logits = model.forward(x);
                    loss = nn.functional.cross_entropy(logits, y, weight: classWeights, label_smoothing: recipe.LabelSmoothing);
                }
                double lossValue = loss.item<float>();
                if (!double.IsFinite(lossValue)) throw Diverged(lossValue, epoch, step, stepsPerEpoch, checkpointPath, resumedOrSaved: epoch > 0);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();

                lossSum += lossValue * length;
                correct += logits.argmax(1).eq(y).sum().item<long>();
                seen += length;
                bar?.Report(step + 1, string.Create(CultureInfo.InvariantCulture,
                    $"loss {lossSum / seen:F4} acc {100.0 * correct / seen:F1}% lr {lr:G3}"));
                if (streamed && step + 1 < batches.Count)
                {
                    long stepsDone = globalStep + 1;
                    bool stop = options.StopAfterSteps is { } limit && stepsDone >= limit;
                    if (stop || options.CheckpointEverySteps is { } every && stepsDone % every == 0)
                        TrainingCheckpoint.Save(checkpointPath, Metadata(epoch, new MidEpochState(step + 1, lossSum, correct, seen,
                            carriedSeconds + clock.Elapsed.TotalSeconds)), model, optimizer);
                    if (stop) return new TrainingResult(outDir, checkpointPath, epoch, null);
                }
            }
            imagesSeen += seen;
            double epochSeconds = carriedSeconds + clock.Elapsed.TotalSeconds;
            trainSeconds += epochSeconds;

            double? valLoss = null, valTop1 = null;
            if (validation is not null)
            {
                var probabilities = ModelInference.PredictProbabilities(model, normalization, train.Height, train.Width, validation, device, options.EvalBatchSize);
                valTop1 = ClassificationMetrics.TopK(probabilities, validation.Labels, classes, 1);
                valLoss = MeanNegativeLogLikelihood(probabilities, validation.Labels, classes);
            }
            log.Add(new EpochLogRow(epoch + 1, lr, lossSum / seen, (double)correct / seen, valLoss, valTop1, epochSeconds));

            TrainingCheckpoint.Save(checkpointPath, Metadata(epoch + 1, null), model, optimizer);
            WriteLog(Path.Combine(outDir, LogFile), log);
        }

        int epochsDone = Math.Max(startEpoch, stopAt);
        if (epochsDone < recipe.Epochs) return new TrainingResult(outDir, checkpointPath, epochsDone, null);

        var last = log.Count > 0 ? log[^1] : null;
        ClassificationReport? report = null;
        if (test is not null)
        {
            var probabilities = ModelInference.PredictProbabilities(model, normalization, train.Height, train.Width, test, device, options.EvalBatchSize);
            report = ClassificationMetrics.Compute(probabilities, test.Labels, classes);
            ClassificationMetrics.Export(outDir, "test", probabilities, test.Labels, classes);
        }
        var metrics = new TrainingMetrics(
            Top1: report?.Top1, Top5: report?.Top5, BalancedAccuracy: NullIfNaN(report?.BalancedAccuracy),
            ClassNames: train.LabelSet.Names.ToArray(),
            PerClassAccuracy: report?.PerClassAccuracy.Select(v => NullIfNaN(v)).ToArray(),
            PerClassPrecision: report?.PerClassPrecision.Select(v => NullIfNaN(v)).ToArray(),
            ConfusionMatrix: report?.ConfusionMatrix,
            Epochs: recipe.Epochs, Seconds: trainSeconds,
            ImagesPerSecond: trainSeconds > 0 ? imagesSeen / trainSeconds : 0,
            TrainImages: train.Count, TestImages: test?.Count, Model: recipe.Model, Seed: recipe.Seed,
            FinalTrainLoss: last?.TrainLoss ?? double.NaN, FinalTrainAccuracy: last?.TrainAccuracy ?? double.NaN,
            RecipeHash: recipeHash, ResumedFromCheckpoint: resumed is not null, SkippedTrainingInputs: options.SkippedTrainingInputs);
        AtomicFile.WriteJson(Path.Combine(outDir, MetricsFile), metrics);
        return new TrainingResult(outDir, checkpointPath, epochsDone, metrics);
    }

    /// <summary>Images the input normalisation of an out-of-core set is estimated from (evenly spaced, decoded through its view).</summary>
    public const int NormalizationSample = 2000;

    /// <summary>
    /// The loader for an out-of-core training set: the set's view size, random-resized-crop for crop "resized" (the
    /// paper's timm train transform), else the centred square ("pad" crops are then cut from it on the batch).
    /// </summary>
    private ParallelLoader MakeLoader(ImageSet train, string crop, Device device)
    {
        var transform = new LoaderTransform(train.Channels, train.Height, train.Width, ResizedCrop: crop == "resized",
            recipe.Augmentation.ResizedCropMinScale, recipe.Augmentation.HorizontalFlip);
        int workers = options.LoaderWorkers ?? Environment.ProcessorCount;
        return new ParallelLoader(train.Encoded!, transform, recipe.Seed, workers, options.LoaderPrefetch, pinMemory: device.type == DeviceType.CUDA);
    }

    private optim.Optimizer MakeOptimizer(ClassifierNet model) =>
        // Weight decay on every parameter, batch-norm ones included, as in He et al. 2016 and the
        // torchvision classification reference's default.
        new ScalarSafeSgd(model.parameters(), recipe.LearningRate, momentum: recipe.Momentum, dampening: 0,
                          weightDecay: recipe.WeightDecay, nesterov: recipe.Nesterov);

    private CheckpointMetadata? ResumePoint(string checkpointPath, string recipeHash, string fingerprint)
    {
        if (!File.Exists(checkpointPath)) return null;
        var meta = TrainingCheckpoint.ReadMetadata(checkpointPath);
        string? problem = null;
        if (meta.RecipeHash != recipeHash)
        {
            var diffs = TrainingRecipe.Differences(meta.Recipe, recipe.IdentityJson());
            problem = $"the recipe changed ({(diffs.Count > 0 ? string.Join("; ", diffs) : "hash differs")})";
        }
        else if (meta.DataFingerprint != fingerprint)
            problem = "the training data changed (different images, labels or order)";
        if (problem is null) return meta;
        if (!options.Force)
            throw new SelectBenchException(
                $"{checkpointPath} was written by another run: {problem}. Use a new --out folder, or --force to discard it and start over.");
        foreach (var f in new[] { CheckpointFile, LogFile, MetricsFile })
            File.Delete(Path.Combine(Path.GetDirectoryName(checkpointPath)!, f));
        return null;
    }

    private static SelectBenchException Diverged(double loss, int epoch, int step, long stepsPerEpoch, string checkpointPath, bool resumedOrSaved)
    {
        var where = $"epoch {epoch + 1}, step {step + 1} of {stepsPerEpoch}";
        var resume = resumedOrSaved && File.Exists(checkpointPath)
            ? $"The checkpoint to resume from is {checkpointPath} (end of epoch {epoch}). Training is deterministic, so the same " +
              "recipe diverges again: lower the learning rate (--lr) and start over with --force or a new --out folder."
            : "No checkpoint exists yet (it diverged in the first epoch); lower the learning rate (--lr) and rerun.";
        return new SelectBenchException(
            $"Training diverged: the loss is {loss.ToString(CultureInfo.InvariantCulture)} at {where}. {resume}");
    }

    /// <summary>
    /// Cross-entropy against soft targets (timm's SoftTargetCrossEntropy): per sample -sum_c t_c log p_c,
    /// averaged over the batch; with class weights w, each sample counts with weight sum_c t_c w_c and the
    /// sum is divided by the total weight, which for one-hot targets is exactly PyTorch's weighted mean.
    /// </summary>
    public static Tensor SoftTargetCrossEntropy(Tensor logits, Tensor targets, Tensor? classWeights)
    {
        using var scope = NewDisposeScope();
        var perSample = -(targets * nn.functional.log_softmax(logits, 1)).sum(1);
        if (classWeights is null) return perSample.mean().MoveToOuterDisposeScope();
        var sampleWeights = (targets * classWeights.unsqueeze(0)).sum(1);
        return ((perSample * sampleWeights).sum() / sampleWeights.sum()).MoveToOuterDisposeScope();
    }

    private static double MeanNegativeLogLikelihood(float[] probabilities, int[] labels, int classes)
    {
        if (labels.Length == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < labels.Length; i++) sum -= Math.Log(Math.Max(probabilities[i * classes + labels[i]], 1e-12f));
        return sum / labels.Length;
    }

    private static double? NullIfNaN(double? v) => v is { } d && double.IsNaN(d) ? null : v;

    private static void WriteLog(string path, IReadOnlyList<EpochLogRow> rows)
    {
        var sb = new StringBuilder("epoch,lr,train_loss,train_acc,val_loss,val_top1,seconds\n");
        foreach (var r in rows)
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"{r.Epoch},{r.LearningRate:G6},{r.TrainLoss:G6},{r.TrainAccuracy:G6},{r.ValLoss:G6},{r.ValTop1:G6},{r.Seconds:F2}\n"));
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}

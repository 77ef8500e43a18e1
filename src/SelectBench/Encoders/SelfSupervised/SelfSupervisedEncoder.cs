using SelectBench.Engine;
using System.Security.Cryptography;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Training;
using TorchSharp;
using static TorchSharp.torch;
using SelectBench.Embedding;

namespace SelectBench.Encoders.SelfSupervised;

/// <summary>
/// SimCLR training settings (Chen et al. 2020, "A Simple Framework for Contrastive Learning of Visual
/// Representations"). Temperature 0.5 is the paper's choice for its CIFAR-10 runs (appendix B.9); Adam
/// replaces LARS, which only pays off at batch sizes far above what a CPU run uses.
/// </summary>
/// <param name="CosineDecay">Decay the learning rate to 0 on a cosine over all steps, after
/// <paramref name="WarmupEpochs"/> of linear warm-up: the paper's schedule (section 4 and appendix B.1:
/// linear warm-up, then cosine decay without restarts). Off = constant learning rate.</param>
/// <param name="WarmupEpochs">Linear warm-up, in (possibly fractional) epochs; used only with cosine decay.</param>
public sealed record SimClrSettings(
    int Epochs = 5,
    int BatchSize = 256,
    double LearningRate = 1e-3,
    double WeightDecay = 1e-6,
    double Temperature = 0.5,
    int Width = 32,
    int ProjectionDimension = 64,
    int Seed = 0,
    ContrastiveAugmentation? Augmentation = null,
    bool CosineDecay = false,
    double WarmupEpochs = 0)
{
    /// <summary>Checks every field at config load (evaluation.ssl), each error naming it; <see cref="SelfSupervisedEncoder.Train"/> checks again.</summary>
    public void Validate(string where)
    {
        SettingRules.Positive(where, "epochs", Epochs);
        if (BatchSize < 2) throw new SelectBenchException($"{where}.batch_size: {BatchSize} is not allowed; give at least 2 (SimCLR contrasts the images of a batch).");
        SettingRules.Positive(where, "learning_rate", LearningRate);
        SettingRules.NonNegative(where, "weight_decay", WeightDecay);
        SettingRules.Positive(where, "temperature", Temperature);
        SettingRules.Positive(where, "width", Width);
        SettingRules.Positive(where, "projection_dimension", ProjectionDimension);
        SettingRules.NonNegative(where, "warmup_epochs", WarmupEpochs);
        Augmentation?.Validate($"{where}.augmentation");
    }
}

/// <summary>Saved next to the weights (ssl.json).</summary>
public sealed record SelfSupervisedState(
    string Name, SimClrSettings Settings, int Channels, int Height, int Width, int TrainedOn,
    double[] EpochLosses, string WeightsSha256);

/// <summary>
/// A self-supervised image encoder trained by SelectBench on an unlabeled pool with SimCLR: the "fixed
/// self-supervised representation" of the SSL kNN metric (docs/metrics.md; the paper uses DINO ResNet-50).
/// Encode returns the backbone's pooled features (before the projection head, as SimCLR section 4.2
/// recommends); L2-normalise them for cosine kNN.
/// </summary>
public sealed class SelfSupervisedEncoder : IImageEncoder
{
    private const string WeightsFile = "ssl_weights.dat", StateFile = "ssl.json";
    private readonly SimClrNetwork _network;

    public SelfSupervisedState State { get; private set; }
    public string Name => State.Name;
    public int Dimension => _network.backbone.FeatureDimension;
    public int BatchSize { get; init; } = 512;

    private SelfSupervisedEncoder(SimClrNetwork network, SelfSupervisedState state)
    {
        _network = network;
        State = state;
    }

    /// <summary>
    /// Trains on <paramref name="pool"/> (labels are ignored). <paramref name="onStep"/> receives (step, loss)
    /// after every optimiser step. Deterministic for a given seed and thread count.
    /// </summary>
    public static SelfSupervisedEncoder Train(ImageSet pool, SimClrSettings? settings = null, Action<int, double>? onStep = null)
    {
        settings ??= new SimClrSettings();
        if (settings.Epochs < 1 || settings.BatchSize < 2 || settings.Width < 1 || settings.ProjectionDimension < 1 || !(settings.Temperature > 0) || !(settings.LearningRate > 0)
            || !(settings.WarmupEpochs >= 0))
            throw new SelectBenchException($"SimCLR settings {settings}: epochs >= 1, batch_size >= 2, width >= 1, projection_dimension >= 1, positive temperature and learning rate and warmup_epochs >= 0 are required.");
        int batch = Math.Min(settings.BatchSize, pool.Count);
        if (batch < 2) throw new SelectBenchException($"SimCLR needs at least 2 images to contrast, the pool has {pool.Count}.");
        var augmentation = settings.Augmentation ?? new ContrastiveAugmentation();
        var network = new SimClrNetwork(pool.Channels, settings.Width, settings.ProjectionDimension);
        var generator = new Generator((ulong)settings.Seed);
        network.Initialise(generator);
        network.train();
        using var optimizer = new ScalarSafeAdam(network.parameters(), lr: settings.LearningRate, weightDecay: settings.WeightDecay);
        int stepsPerEpoch = pool.Count / batch; // the last partial batch is dropped: tiny batches make poor contrasts
        var order = Enumerable.Range(0, pool.Count).ToArray();
        var rng = new Random(settings.Seed);
        var losses = new double[settings.Epochs];
        int step = 0, size = pool.ImageSize;
        using var progress = new ProgressBar("simclr", (long)settings.Epochs * stepsPerEpoch);
        for (int epoch = 0; epoch < settings.Epochs; epoch++)
        {
            rng.Shuffle(order);
            double sum = 0;
            for (int s = 0; s < stepsPerEpoch; s++)
            {
                using var scope = NewDisposeScope();
                double lr = LearningRateAt(settings, step, stepsPerEpoch);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                var bytes = new byte[batch * size];
                for (int i = 0; i < batch; i++) pool.Image(order[s * batch + i]).CopyTo(bytes.AsSpan(i * size, size));
                var x = tensor(bytes, [batch, pool.Channels, pool.Height, pool.Width]).to_type(ScalarType.Float32).div_(Scalars.Byte255);
                var v1 = ContrastiveViews.Augment(x, augmentation, generator);
                var v2 = ContrastiveViews.Augment(x, augmentation, generator);
                // One forward pass over both views, so batch norm sees the whole 2B batch (as in SimCLR).
                var z = network.forward(cat([v1, v2], 0));
                var loss = ContrastiveViews.NtXent(z[..batch], z[batch..], settings.Temperature);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                double value = loss.item<float>();
                sum += value;
                onStep?.Invoke(step++, value);
                progress.Advance(1, $"epoch {epoch + 1}/{settings.Epochs} loss {value:F4}");
            }
            losses[epoch] = sum / Math.Max(1, stepsPerEpoch);
        }
        network.eval();
        var state = new SelfSupervisedState("", settings, pool.Channels, pool.Height, pool.Width, pool.Count, losses, "");
        return new SelfSupervisedEncoder(network, WithWeightsHash(network, state));
    }

    /// <summary>Learning rate of zero-based optimiser <paramref name="step"/>: constant, or warm-up + cosine (<see cref="LearningRateSchedule.At"/>).</summary>
    internal static double LearningRateAt(SimClrSettings settings, long step, int stepsPerEpoch) =>
        settings.CosineDecay
            ? LearningRateSchedule.At(step, (long)settings.Epochs * stepsPerEpoch,
                LearningRateSchedule.WarmupSteps(settings.WarmupEpochs, stepsPerEpoch), settings.LearningRate)
            : settings.LearningRate;

    public Embeddings Encode(ImageSet images)
    {
        if (images.Channels != State.Channels || images.Height != State.Height || images.Width != State.Width)
            throw new SelectBenchException(
                $"{Name}: trained on {State.Channels}x{State.Height}x{State.Width} images, got {images.Channels}x{images.Height}x{images.Width}; train the encoder on images of this shape.");
        _network.eval();
        int n = images.Count, d = Dimension, size = images.ImageSize;
        var output = new float[n * d];
        for (int start = 0; start < n; start += BatchSize)
        {
            int m = Math.Min(BatchSize, n - start);
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var batch = new byte[m * size];
            images.CopyImages(Enumerable.Range(start, m).ToArray(), batch);
            var x = tensor(batch, [m, images.Channels, images.Height, images.Width])
                .to_type(ScalarType.Float32).div_(Scalars.Byte255);
            Array.Copy(_network.backbone.forward(x).data<float>().ToArray(), 0, output, start * d, m * d);
        }
        return new Embeddings(output, n, d);
    }

    /// <summary>Writes ssl_weights.dat (TorchSharp format: backbone and projection head) and ssl.json, each atomically.</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var weights = Path.Combine(folder, WeightsFile);
        var tmp = weights + $".{Environment.ProcessId}.tmp";
        _network.save(tmp);
        File.Move(tmp, weights, overwrite: true);
        AtomicFile.WriteJson(Path.Combine(folder, StateFile), State); // last: marks a complete save
    }

    public static SelfSupervisedEncoder Load(string folder)
    {
        var state = Json.Read<SelfSupervisedState>(Path.Combine(folder, StateFile));
        var weights = Path.Combine(folder, WeightsFile);
        if (!File.Exists(weights)) throw new BadInputException(weights, "self-supervised encoder weights not found; train the encoder again.");
        var network = new SimClrNetwork(state.Channels, state.Settings.Width, state.Settings.ProjectionDimension);
        try { network.load(weights); }
        catch (Exception e) when (e is not SelectBenchException)
        {
            throw new BadInputException(weights, $"cannot load the weights ({e.Message}); they do not match ssl.json (width {state.Settings.Width}).", e);
        }
        network.eval();
        var loaded = WithWeightsHash(network, state);
        if (loaded.WeightsSha256 != state.WeightsSha256)
            throw new BadInputException(weights, "weights differ from the ones ssl.json was written with (files from two runs?); train the encoder again.");
        return new SelfSupervisedEncoder(network, state);
    }

    /// <summary>Name = architecture + a hash of every parameter and buffer, so another training run is another cache key.</summary>
    private static SelfSupervisedState WithWeightsHash(SimClrNetwork network, SelfSupervisedState state)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, t) in network.state_dict().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            using var flat = t.detach().to_type(t.dtype).contiguous().cpu();
            hash.AppendData(flat.bytes);
        }
        var hex = Convert.ToHexStringLower(hash.GetHashAndReset());
        return state with { WeightsSha256 = hex, Name = $"simclr-resnet-w{state.Settings.Width}-{hex[..12]}" };
    }

    public void Dispose() => _network.Dispose();
}

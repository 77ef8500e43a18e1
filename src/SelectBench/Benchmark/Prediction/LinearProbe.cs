using SelectBench.Common;
using SelectBench.Embedding;

namespace SelectBench.Benchmark.Prediction;

/// <summary>Settings of the linear probe (docs/prediction.md#linear-probe).</summary>
/// <param name="Steps">Full-batch gradient steps (Nesterov's accelerated gradient with step 1/L).</param>
/// <param name="L2">Weight decay on the weights (not the biases): lambda/2 |W|^2 added to the mean cross-entropy.</param>
public sealed record LinearProbeSettings(int Steps = 300, double L2 = 1e-4) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.InRange(where, "steps", Steps, 1, 100_000);
        SettingRules.InRange(where, "l2", L2, 0, 10);
    }
}

/// <summary>A fitted probe: the features' standardisation and one weight row (bias last) per class.</summary>
public sealed record LinearProbeModel(double[] Mean, double[] Scale, double[,] Weights)
{
    public int Classes => Weights.GetLength(0);
}

/// <summary>
/// The linear probe of the representation-learning literature (e.g. Kornblith, Shlens and Le 2019, "Do Better ImageNet
/// Models Transfer Better?", logistic regression on fixed features): multinomial logistic regression on standardised
/// features, fitted deterministically by full-batch Nesterov accelerated gradient (Nesterov 1983) from zero weights. The
/// step is 1/L with L = lambda_max(X'X / n) / 2 + l2, a bound on the loss's curvature (the softmax Hessian is at most half
/// the identity), so no learning rate needs tuning for the encoder at hand.
/// </summary>
public static class LinearProbe
{
    public static LinearProbeModel Fit(Embeddings features, IReadOnlyList<int> labels, int classes, LinearProbeSettings settings)
    {
        int n = features.Count, d = features.Dimension;
        if (labels.Count != n) throw new ArgumentException($"{n} feature rows but {labels.Count} labels.");
        if (n == 0) throw new SelectBenchException("the linear probe has no images to fit; the shift is empty.");
        var (mean, scale) = Standardisation(features);
        var x = Standardise(features, mean, scale); // n x (d + 1), last column 1
        int cols = d + 1;
        double lipschitz = LargestEigenvalue(x, n, cols) / n / 2 + settings.L2;
        double step = 1 / lipschitz;

        var w = new double[classes * cols];
        var previous = new double[classes * cols];
        var y = new double[classes * cols];
        var gradient = new double[classes * cols];
        var logits = new double[classes];
        for (int t = 1; t <= settings.Steps; t++)
        {
            // y = w + (t - 1) / (t + 2) (w - previous): Nesterov's momentum for convex smooth losses.
            double momentum = (t - 1.0) / (t + 2.0);
            for (int i = 0; i < y.Length; i++) y[i] = w[i] + momentum * (w[i] - previous[i]);
            Array.Clear(gradient);
            for (int s = 0; s < n; s++)
            {
                var row = x.AsSpan(s * cols, cols);
                Softmax(y, row, classes, cols, logits);
                logits[labels[s]] -= 1;
                for (int c = 0; c < classes; c++)
                {
                    double g = logits[c] / n;
                    if (g == 0) continue;
                    var gc = gradient.AsSpan(c * cols, cols);
                    for (int j = 0; j < cols; j++) gc[j] += g * row[j];
                }
            }
            for (int c = 0; c < classes; c++)
                for (int j = 0; j < d; j++) gradient[c * cols + j] += settings.L2 * y[c * cols + j];
            Array.Copy(w, previous, w.Length);
            for (int i = 0; i < w.Length; i++) w[i] = y[i] - step * gradient[i];
        }
        var weights = new double[classes, cols];
        for (int c = 0; c < classes; c++)
            for (int j = 0; j < cols; j++) weights[c, j] = w[c * cols + j];
        return new LinearProbeModel(mean, scale, weights);
    }

    /// <summary>The class with the largest logit for each row (the first on a tie).</summary>
    public static int[] Predict(LinearProbeModel model, Embeddings features)
    {
        int d = features.Dimension, cols = d + 1, classes = model.Classes;
        if (model.Mean.Length != d) throw new ArgumentException($"the probe was fitted on {model.Mean.Length}-d features, not {d}-d.");
        var x = Standardise(features, model.Mean, model.Scale);
        var predictions = new int[features.Count];
        for (int s = 0; s < features.Count; s++)
        {
            int best = 0;
            double bestLogit = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double logit = 0;
                for (int j = 0; j < cols; j++) logit += model.Weights[c, j] * x[s * cols + j];
                if (logit > bestLogit) { bestLogit = logit; best = c; }
            }
            predictions[s] = best;
        }
        return predictions;
    }

    /// <summary>Share of rows whose prediction equals the label.</summary>
    public static double Top1(LinearProbeModel model, Embeddings features, IReadOnlyList<int> labels)
    {
        var predictions = Predict(model, features);
        if (predictions.Length == 0) return double.NaN;
        int right = 0;
        for (int i = 0; i < predictions.Length; i++) if (predictions[i] == labels[i]) right++;
        return (double)right / predictions.Length;
    }

    private static void Softmax(double[] w, ReadOnlySpan<double> row, int classes, int cols, double[] output)
    {
        for (int c = 0; c < classes; c++)
        {
            double logit = 0;
            var wc = w.AsSpan(c * cols, cols);
            for (int j = 0; j < cols; j++) logit += wc[j] * row[j];
            output[c] = logit;
        }
        EmbeddingMath.SoftmaxInPlace(output.AsSpan(0, classes));
    }

    private static (double[] Mean, double[] Scale) Standardisation(Embeddings features)
    {
        var (mean, deviation) = EmbeddingMath.MeanAndDeviation(features);
        // A constant feature keeps scale 1 (it becomes 0 after centring and carries nothing).
        return (mean, deviation.Select(s => s > 0 ? s : 1).ToArray());
    }

    private static double[] Standardise(Embeddings features, double[] mean, double[] scale)
    {
        int n = features.Count, d = features.Dimension, cols = d + 1;
        var x = new double[n * cols];
        for (int s = 0; s < n; s++)
        {
            var row = features.Row(s);
            for (int j = 0; j < d; j++) x[s * cols + j] = (row[j] - mean[j]) / scale[j];
            x[s * cols + d] = 1;
        }
        return x;
    }

    /// <summary>lambda_max(X'X) by 100 power iterations from the all-ones vector, plus 1% so the step stays on the safe side.</summary>
    private static double LargestEigenvalue(double[] x, int n, int cols)
    {
        var v = Enumerable.Repeat(1 / Math.Sqrt(cols), cols).ToArray();
        var xv = new double[n];
        double lambda = 0;
        for (int iteration = 0; iteration < 100; iteration++)
        {
            for (int s = 0; s < n; s++)
            {
                double dot = 0;
                for (int j = 0; j < cols; j++) dot += x[s * cols + j] * v[j];
                xv[s] = dot;
            }
            var next = new double[cols];
            for (int s = 0; s < n; s++)
                for (int j = 0; j < cols; j++) next[j] += x[s * cols + j] * xv[s];
            double norm = Math.Sqrt(next.Sum(a => a * a));
            if (norm == 0) return 1;
            lambda = norm;
            for (int j = 0; j < cols; j++) v[j] = next[j] / norm;
        }
        return lambda * 1.01;
    }
}

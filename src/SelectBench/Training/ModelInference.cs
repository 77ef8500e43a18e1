using SelectBench.Engine;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Training;

/// <summary>Batched, gradient-free forward passes of a trained network.</summary>
public static class ModelInference
{
    /// <summary>Softmax probabilities, row-major N x classes.</summary>
    public static float[] PredictProbabilities(ClassifierNet model, InputNormalization normalization, int height, int width,
                                               ImageSet images, Device device, int batchSize = 256) =>
        Run(model, normalization, height, width, images, device, batchSize, model.Classes,
            (m, x) => nn.functional.softmax(m.forward(x), 1));

    /// <summary>Penultimate features, row-major N x <see cref="ClassifierNet.FeatureDimension"/>.</summary>
    public static float[] Features(ClassifierNet model, InputNormalization normalization, int height, int width,
                                   ImageSet images, Device device, int batchSize = 256) =>
        Run(model, normalization, height, width, images, device, batchSize, model.FeatureDimension, (m, x) => m.Features(x));

    private static float[] Run(ClassifierNet model, InputNormalization normalization, int height, int width, ImageSet images,
                               Device device, int batchSize, int columns, Func<ClassifierNet, Tensor, Tensor> forward)
    {
        var result = new float[(long)images.Count * columns];
        if (images.Count == 0) return result;
        TorchEngine.EnsureReady();
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            // An out-of-core set is read batch by batch through its view (ImageSet.Image decodes on demand), never whole.
            using var data = images.Encoded is null ? new ImageTensors(images) : null;
            for (int start = 0; start < images.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int n = Math.Min(batchSize, images.Count - start);
                var batch = data is null ? ImageTensors.Range(images, start, n, device) : data.Batch(Scalars.Arange(start, start + n), device);
                var x = ImageTensors.Conform(batch, normalization.Mean.Length, height, width);
                ImageTensors.Normalize(x, normalization);
                var y = forward(model, x).to(ScalarType.Float32).cpu().contiguous();
                y.data<float>().CopyTo(result.AsSpan(start * columns, n * columns));
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return result;
    }
}

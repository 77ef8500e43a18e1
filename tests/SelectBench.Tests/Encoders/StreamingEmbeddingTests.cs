using SelectBench.Encoders;
using SelectBench.Encoders.SelfSupervised;

namespace SelectBench.Tests.Encoders;

/// <summary>
/// Encoders read a set image by image (<c>ImageSet.Image</c>), batch by batch, so a large set's embeddings never need
/// all its pixels in one tensor: a set's embeddings are the rows of its parts' embeddings, bit for bit.
/// </summary>
public class StreamingEmbeddingTests
{
    [Fact]
    public void Pixel_pca_embeddings_of_a_set_are_its_parts_embeddings()
    {
        var images = EncoderTestData.Shapes(90, 8, seed: 31);
        var pca = PixelPcaEncoder.Fit(images, components: 6);
        AssertRowsOfParts(pca, images);
    }

    [Fact]
    public void Self_supervised_embeddings_of_a_set_are_its_parts_embeddings()
    {
        var images = EncoderTestData.Shapes(40, 16, seed: 32);
        using var encoder = SelfSupervisedEncoder.Train(images, new SimClrSettings(Epochs: 1, BatchSize: 12, LearningRate: 3e-3, Width: 4, ProjectionDimension: 8, Seed: 7));
        // The whole set is one forward batch (BatchSize 512); the parts are batches of 17 and 23.
        AssertRowsOfParts(encoder, images);
    }

    private static void AssertRowsOfParts(IImageEncoder encoder, SelectBench.Data.ImageSet images)
    {
        var whole = encoder.Encode(images);
        int split = images.Count * 3 / 7;
        var first = encoder.Encode(images.Select(Enumerable.Range(0, split).ToArray()));
        var rest = encoder.Encode(images.Select(Enumerable.Range(split, images.Count - split).ToArray()));
        Assert.Equal(whole.Data, first.Data.Concat(rest.Data).ToArray());
    }
}

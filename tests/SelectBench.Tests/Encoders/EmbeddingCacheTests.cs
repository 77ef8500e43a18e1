using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Embedding;

namespace SelectBench.Tests.Encoders;

public class EmbeddingCacheTests
{
    /// <summary>Embeds an image as (mean pixel, first pixel) and counts its calls.</summary>
    private sealed class CountingEncoder(string name) : IImageEncoder
    {
        public int Calls { get; private set; }
        public string Name => name;
        public int Dimension => 2;
        public void Dispose() { }
        public Embeddings Encode(ImageSet images)
        {
            Calls++;
            var data = new float[images.Count * 2];
            for (int i = 0; i < images.Count; i++)
            {
                var img = images.Image(i);
                double sum = 0;
                foreach (var b in img) sum += b;
                data[2 * i] = (float)(sum / img.Length);
                data[2 * i + 1] = img[0];
            }
            return new Embeddings(data, images.Count, 2);
        }
    }

    [Fact]
    public void Second_call_reads_the_cache_and_returns_the_same_values()
    {
        var folder = EncoderTestData.TempFolder();
        try
        {
            var images = EncoderTestData.Shapes(12, 6, seed: 1);
            var encoder = new CountingEncoder("counting/v1");
            var first = EmbeddingCache.GetOrCompute(encoder, images, folder);
            var second = EmbeddingCache.GetOrCompute(encoder, images, folder);
            Assert.Equal(1, encoder.Calls);
            Assert.Equal(first.Data, second.Data);

            var entry = EmbeddingCache.EntryFolder(folder, encoder.Name, ImageSetFingerprint.Of(images));
            Assert.StartsWith("counting_v1-", Path.GetFileName(Path.GetDirectoryName(entry)));
            var manifest = Json.Read<EmbeddingCacheManifest>(Path.Combine(entry, EmbeddingCache.ManifestFile));
            Assert.Equal((12, 2, "counting/v1"), (manifest.Count, manifest.Dimension, manifest.Encoder));
            var (data, shape) = Npy.ReadFloat32(Path.Combine(entry, EmbeddingCache.EmbeddingsFile));
            Assert.Equal([12, 2], shape);
            Assert.Equal(first.Data, data);
            Assert.Empty(Directory.GetFiles(entry, "*.tmp"));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void Other_pixels_ids_or_encoder_make_a_new_entry_but_labels_do_not()
    {
        var folder = EncoderTestData.TempFolder();
        try
        {
            var images = EncoderTestData.Shapes(9, 6, seed: 2);
            var encoder = new CountingEncoder("counting");
            EmbeddingCache.GetOrCompute(encoder, images, folder);
            EmbeddingCache.GetOrCompute(encoder, images.WithLabels(images.Labels.Select(l => (l + 1) % 3).ToArray()), folder);
            Assert.Equal(1, encoder.Calls);

            var pixels = (byte[])images.Pixels.Clone();
            pixels[5] ^= 1;
            var changed = new ImageSet(pixels, images.Labels, images.LabelSet, 1, 6, 6, images.Ids);
            EmbeddingCache.GetOrCompute(encoder, changed, folder);
            Assert.Equal(2, encoder.Calls);

            var renamed = new ImageSet(images.Pixels, images.Labels, images.LabelSet, 1, 6, 6, images.Ids.Select(i => "x" + i).ToArray());
            Assert.NotEqual(ImageSetFingerprint.Of(images), ImageSetFingerprint.Of(renamed));
            EmbeddingCache.GetOrCompute(new CountingEncoder("other"), images, folder);
            Assert.Equal(3, Directory.GetDirectories(folder, "*", SearchOption.AllDirectories).Count(d => File.Exists(Path.Combine(d, "manifest.json"))));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void An_entry_without_manifest_is_recomputed()
    {
        var folder = EncoderTestData.TempFolder();
        try
        {
            var images = EncoderTestData.Shapes(6, 4, seed: 3);
            var encoder = new CountingEncoder("counting");
            EmbeddingCache.GetOrCompute(encoder, images, folder);
            var entry = EmbeddingCache.EntryFolder(folder, encoder.Name, ImageSetFingerprint.Of(images));
            File.Delete(Path.Combine(entry, EmbeddingCache.ManifestFile)); // as if killed between the two writes
            EmbeddingCache.GetOrCompute(encoder, images, folder);
            Assert.Equal(2, encoder.Calls);
        }
        finally { Directory.Delete(folder, true); }
    }
}

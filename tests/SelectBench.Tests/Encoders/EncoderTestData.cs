using SelectBench.Data;

namespace SelectBench.Tests.Encoders;

internal static class EncoderTestData
{
    /// <summary>
    /// Grey images of simple shapes per class: class 0 a bright horizontal bar, class 1 a vertical bar,
    /// class 2 a filled square, at random positions with pixel noise. Similar within a class, different across.
    /// </summary>
    public static ImageSet Shapes(int count, int size, int seed, int channels = 1)
    {
        var rng = new Random(seed);
        var labelSet = LabelSet.FashionMnist;
        var pixels = new byte[count * channels * size * size];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int cls = i % 3;
            labels[i] = cls;
            int ox = rng.Next(size / 4), oy = rng.Next(size / 4);
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        int lx = x - ox, ly = y - oy;
                        bool on = cls switch
                        {
                            0 => ly >= size / 3 && ly < size / 2 && lx >= 0 && lx < size * 3 / 4,
                            1 => lx >= size / 3 && lx < size / 2 && ly >= 0 && ly < size * 3 / 4,
                            _ => lx >= size / 8 && lx < size / 2 && ly >= size / 8 && ly < size / 2,
                        };
                        int v = (on ? 220 : 20) + rng.Next(-15, 16);
                        pixels[((i * channels + c) * size + y) * size + x] = (byte)Math.Clamp(v, 0, 255);
                    }
        }
        return new ImageSet(pixels, labels, labelSet, channels, size, size);
    }

    public static string TempFolder() => Directory.CreateTempSubdirectory("selectbench-enc-").FullName;
}

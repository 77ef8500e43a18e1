using SelectBench.Data;

namespace SelectBench.Tests.Training;

/// <summary>Small synthetic image sets for fast training tests.</summary>
internal static class TinyData
{
    /// <summary>
    /// Ten linearly separable classes on size x size grey images: class c lights one 4x4 block of a 4x4 grid
    /// of blocks (blocks 0..9), over uniform noise of amplitude 60. Deterministic in <paramref name="seed"/>.
    /// </summary>
    public static ImageSet Blocks(int count, int seed, int size = 16)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * size * size];
        var labels = new int[count];
        int block = size / 4;
        for (int i = 0; i < count; i++)
        {
            int c = i % 10;
            labels[i] = c;
            int by = c / 4 * block, bx = c % 4 * block;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    bool lit = y >= by && y < by + block && x >= bx && x < bx + block;
                    pixels[i * size * size + y * size + x] = (byte)(rng.Next(60) + (lit ? 180 : 0));
                }
        }
        return new ImageSet(pixels, labels, LabelSet.Numbered(10), 1, size, size);
    }

    public static string TempFolder(string name) => Directory.CreateTempSubdirectory($"sb-{name}").FullName;

    /// <summary>Asserts that two training checkpoints hold the same parameter and buffer names with identical values.</summary>
    public static void AssertSameWeights(string checkpointA, string checkpointB, string after)
    {
        var (_, modelA) = SelectBench.Training.TrainingCheckpoint.LoadModel(checkpointA);
        var (_, modelB) = SelectBench.Training.TrainingCheckpoint.LoadModel(checkpointB);
        using (modelA)
        using (modelB)
        {
            var sa = modelA.state_dict();
            var sb = modelB.state_dict();
            Assert.Equal(sa.Keys, sb.Keys);
            foreach (var key in sa.Keys) Assert.True(sa[key].Same(sb[key]), $"{key} differs after {after}");
        }
    }
}

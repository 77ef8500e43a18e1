using System.Buffers;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>
/// Diamond-square plasma fractal, from bethgelab/imagecorruptions corruptions.py plasma_fractal (itself a
/// modification of FLHerne/mapgen diamondsquare.py; identical in hendrycks/robustness): a periodic
/// mapsize x mapsize height map; each new point is the mean of its four neighbours plus
/// wibble · U(-wibble, wibble), wibble starting at 100 and divided by wibbledecay per level; finally
/// rescaled to [0, 1].
/// </summary>
internal static class PlasmaFractal
{
    public static void Generate(Span<double> map, int mapSize, double wibbleDecay, CorruptionRandom rng)
    {
        if (mapSize <= 0 || (mapSize & (mapSize - 1)) != 0) throw new ArgumentException($"mapsize {mapSize} must be a power of two");
        map.Clear();
        int n = mapSize;
        double wibble = 100;
        for (int step = n; step >= 2; step /= 2)
        {
            int half = step / 2, m = n / step;
            // fillsquares: centre = mean of the 4 corners (periodic) + wibble.
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++)
                {
                    int i1 = (i + 1) % m, j1 = (j + 1) % m;
                    double sum = map[i * step * n + j * step] + map[i1 * step * n + j * step]
                               + map[i * step * n + j1 * step] + map[i1 * step * n + j1 * step];
                    map[(i * step + half) * n + j * step + half] = sum / 4 + wibble * rng.Uniform(-wibble, wibble);
                }
            // filldiamonds: edge midpoints from the two adjacent centres and the two adjacent corners.
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++)
                {
                    int im = (i - 1 + m) % m, j1 = (j + 1) % m;
                    double centre = map[(i * step + half) * n + j * step + half];
                    // (i*step, j*step + half): centres (i, j) and (i-1, j), corners (i, j) and (i, j+1).
                    double top = centre + map[(im * step + half) * n + j * step + half]
                               + map[i * step * n + j * step] + map[i * step * n + j1 * step];
                    map[i * step * n + j * step + half] = top / 4 + wibble * rng.Uniform(-wibble, wibble);
                }
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++)
                {
                    int jm = (j - 1 + m) % m, i1 = (i + 1) % m;
                    double centre = map[(i * step + half) * n + j * step + half];
                    // (i*step + half, j*step): centres (i, j) and (i, j-1), corners (i, j) and (i+1, j).
                    double left = centre + map[(i * step + half) * n + jm * step + half]
                                + map[i * step * n + j * step] + map[i1 * step * n + j * step];
                    map[(i * step + half) * n + j * step] = left / 4 + wibble * rng.Uniform(-wibble, wibble);
                }
            wibble /= wibbleDecay;
        }
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in map) { if (v < min) min = v; if (v > max) max = v; }
        double range = max - min;
        for (int i = 0; i < map.Length; i++) map[i] = range > 0 ? (map[i] - min) / range : 0;
    }

    /// <summary>next_power_of_2 of the reference: 1 for 0, else the smallest power of two &gt;= x.</summary>
    public static int NextPowerOfTwo(int x) => x <= 1 ? 1 : (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)x);
}

/// <summary>
/// Fog: x + c·plasma, rescaled by max(x) / (max(x) + c), clipped. (c, wibbledecay) per severity from
/// bethgelab/imagecorruptions corruptions.py fog, which generalises hendrycks/robustness' fixed
/// 256-map / 224-crop to mapsize = next_power_of_2(max(H, W, C)) cropped to H x W; the image array it
/// sees is H x W x 3, so C = 3 enters the max. max(x) is over all channels; one map for all channels.
/// </summary>
public sealed class Fog : Corruption
{
    public static readonly (double Strength, double WibbleDecay)[] Parameters = [(1.5, 2), (2.0, 2), (2.5, 1.7), (2.5, 1.5), (3.0, 1.4)];

    public override string Name => "fog";

    protected override void Corrupt(ReadOnlySpan<byte> image, Span<byte> output, ImageShape shape, int severity, CorruptionRandom rng)
    {
        var (c, decay) = Parameters[severity - 1];
        int h = shape.Height, w = shape.Width, plane = shape.PlaneSize;
        int mapSize = PlasmaFractal.NextPowerOfTwo(Math.Max(Math.Max(h, w), 3));
        double[] rentedMap = ArrayPool<double>.Shared.Rent(mapSize * mapSize);
        float[] rented = ArrayPool<float>.Shared.Rent(shape.Size);
        try
        {
            Span<double> map = rentedMap.AsSpan(0, mapSize * mapSize);
            PlasmaFractal.Generate(map, mapSize, decay, rng);
            byte maxByte = 0;
            foreach (byte b in image) if (b > maxByte) maxByte = b;
            double maxVal = maxByte / 255.0;
            double scale = maxVal / (maxVal + c);
            Span<float> x = rented.AsSpan(0, shape.Size);
            for (int ch = 0; ch < shape.Channels; ch++)
                for (int y = 0; y < h; y++)
                    for (int xx = 0; xx < w; xx++)
                    {
                        int i = ch * plane + y * w + xx;
                        x[i] = (float)((image[i] / 255.0 + c * map[y * mapSize + xx]) * scale);
                    }
            CorruptionImage.StoreUnit(x, output);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
            ArrayPool<double>.Shared.Return(rentedMap);
        }
    }
}

using System.Collections.Concurrent;

namespace SelectBench.Evaluation.Corruptions;

/// <summary>One procedural frost texture: side x side, RGB planes and the grey plane, both on 0-255.</summary>
internal sealed record FrostTexture(int Side, float[] Rgb, float[] Grey);

/// <summary>
/// Procedural stand-ins for the frost photographs (frost1.png ... frost5.jpg) that hendrycks/robustness and
/// bethgelab/imagecorruptions ship; we ship no images and download nothing. Each texture is a deterministic
/// function of (index, side) and is cached in memory. The pattern (see docs/corruptions.md): a soft fractal
/// haze, a Voronoi crystal network whose cell borders are bright (ice grains) and dendritic needles (short
/// bright strokes with two side branches), blurred slightly. Its colours are fitted to the photographs:
/// texture k has, per channel, the mean and standard deviation of photograph k+1 as the reference uses it
/// (<see cref="PhotoStatistics"/>). The reference crops at a uniform offset, so the expected change of a
/// pixel depends on the photograph through its pixel distribution, not its layout; matching the first two
/// moments puts the mean change within a few percent of the reference at 28, 32 and 224 px.
/// The side scales with the image (1.5 x its longer side) so a crop shows a few crystals at any image
/// size, as a 224 crop of the reference photos does.
/// </summary>
internal static class FrostTextures
{
    /// <summary>The reference draws np.random.randint(5): only the first five of its six files are ever used.</summary>
    public const int Count = 5;

    /// <summary>
    /// Mean and standard deviation on [0, 1] of R, G and B of frost1.png, frost2.png, frost3.png (the same
    /// picture as frost2.png), frost4.jpg and frost5.jpg after the reference's 1.1x INTER_CUBIC enlargement,
    /// printed by scripts/corruption-reference/frost_photo_statistics.py. Their grey (the 2-D branch's
    /// 0.2989 B + 0.5870 G + 0.1140 R) means are 0.57, 0.81, 0.81, 0.61 and 0.49, 0.66 on average; the
    /// textures before this fit had a mean of 0.40 and made frost about a third too weak.
    /// </summary>
    public static readonly (double RMean, double RStd, double GMean, double GStd, double BMean, double BStd)[] PhotoStatistics =
    [
        (0.3046, 0.1044, 0.5848, 0.0640, 0.6500, 0.0596),
        (0.7875, 0.0834, 0.8055, 0.0863, 0.8412, 0.0882),
        (0.7875, 0.0834, 0.8055, 0.0863, 0.8412, 0.0882),
        (0.5397, 0.1105, 0.5991, 0.1105, 0.6477, 0.1158),
        (0.4407, 0.1724, 0.4838, 0.1678, 0.5284, 0.1614),
    ];

    private static readonly ConcurrentDictionary<(int Index, int Side), FrostTexture> Cache = new();

    /// <summary>Texture side for an image: 1.5 x its longer side, and at least 2 more, so a random crop has room.</summary>
    public static int SideFor(int height, int width)
    {
        int longer = Math.Max(height, width);
        return Math.Max((int)Math.Ceiling(1.5 * longer), longer + 2);
    }

    public static FrostTexture Get(int index, int side) => Cache.GetOrAdd((index, side), key => Generate(key.Index, key.Side));

    internal static FrostTexture Generate(int index, int side)
    {
        var rng = new CorruptionRandom(0xF2057_0000UL + (ulong)index * 1_000_003UL + (ulong)side);
        int n = side * side;
        double cell = Math.Max(3.0, side / 7.0);
        var haze = Haze(side, rng);
        var edges = CrystalEdges(side, cell, rng);
        var needles = Needles(side, cell, rng);

        var t = new float[n];
        for (int i = 0; i < n; i++)
            t[i] = (float)(0.22 * haze[i] + 0.55 * edges[i] * (0.4 + 0.6 * haze[i]) + 0.5 * needles[i]);
        GaussianFilter.Apply(t, side, side, Math.Max(0.5, side / 400.0), Math.Max(0.5, side / 400.0), BorderMode.Reflect);
        double mean = 0, square = 0;
        foreach (float v in t) mean += v;
        mean /= n;
        foreach (float v in t) square += (v - mean) * (v - mean);
        double std = Math.Sqrt(square / n);

        var (rMean, rStd, gMean, gStd, bMean, bStd) = PhotoStatistics[index];
        var rgb = new float[3 * n];
        var grey = new float[n];
        for (int i = 0; i < n; i++)
        {
            // The standardised pattern, scaled to each channel's mean and spread (clipped to [0, 255]).
            double z = std > 0 ? (t[i] - mean) / std : 0;
            float r = (float)(255 * Math.Clamp(rMean + rStd * z, 0, 1));
            float g = (float)(255 * Math.Clamp(gMean + gStd * z, 0, 1));
            float b = (float)(255 * Math.Clamp(bMean + bStd * z, 0, 1));
            rgb[i] = r;
            rgb[n + i] = g;
            rgb[2 * n + i] = b;
            // The reference's grey branch applies rgb2gray's weights (0.2989, 0.5870, 0.1140) to the array
            // cv2.imread returned, which is BGR: blue gets the red weight. We keep that.
            grey[i] = 0.2989f * b + 0.5870f * g + 0.1140f * r;
        }
        return new FrostTexture(side, rgb, grey);
    }

    // Value noise, 4 octaves of smoothly interpolated random lattices, rescaled to [0, 1].
    private static double[] Haze(int side, CorruptionRandom rng)
    {
        var result = new double[side * side];
        double amplitude = 1;
        for (int octave = 0; octave < 4; octave++)
        {
            int g = 3 << octave;
            var lattice = new double[(g + 1) * (g + 1)];
            for (int i = 0; i < lattice.Length; i++) lattice[i] = rng.NextDouble();
            for (int y = 0; y < side; y++)
            {
                double fy = (double)y / side * g;
                int iy = (int)fy;
                double ty = Smooth(fy - iy);
                for (int x = 0; x < side; x++)
                {
                    double fx = (double)x / side * g;
                    int ix = (int)fx;
                    double tx = Smooth(fx - ix);
                    double a = lattice[iy * (g + 1) + ix], b = lattice[iy * (g + 1) + ix + 1];
                    double c = lattice[(iy + 1) * (g + 1) + ix], d = lattice[(iy + 1) * (g + 1) + ix + 1];
                    result[y * side + x] += amplitude * ((a + tx * (b - a)) * (1 - ty) + (c + tx * (d - c)) * ty);
                }
            }
            amplitude *= 0.5;
        }
        Rescale(result);
        return result;
    }

    private static double Smooth(double t) => t * t * (3 - 2 * t);

    // Worley noise: one jittered seed per grid cell; brightness exp(-(F2 - F1) / width) peaks on the
    // borders between grains, where the distances to the two nearest seeds are equal.
    private static double[] CrystalEdges(int side, double cell, CorruptionRandom rng)
    {
        int cells = (int)Math.Ceiling(side / cell);
        var seedX = new double[cells * cells];
        var seedY = new double[cells * cells];
        for (int cy = 0; cy < cells; cy++)
            for (int cx = 0; cx < cells; cx++)
            {
                seedX[cy * cells + cx] = (cx + rng.NextDouble()) * cell;
                seedY[cy * cells + cx] = (cy + rng.NextDouble()) * cell;
            }
        double width = 0.08 * cell;
        var result = new double[side * side];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                int cx = Math.Min((int)(x / cell), cells - 1), cy = Math.Min((int)(y / cell), cells - 1);
                double f1 = double.MaxValue, f2 = double.MaxValue;
                for (int ny = Math.Max(cy - 2, 0); ny <= Math.Min(cy + 2, cells - 1); ny++)
                    for (int nx = Math.Max(cx - 2, 0); nx <= Math.Min(cx + 2, cells - 1); nx++)
                    {
                        double ddx = seedX[ny * cells + nx] - x, ddy = seedY[ny * cells + nx] - y;
                        double dist = Math.Sqrt(ddx * ddx + ddy * ddy);
                        if (dist < f1) { f2 = f1; f1 = dist; }
                        else if (dist < f2) f2 = dist;
                    }
                result[y * side + x] = Math.Exp(-(f2 - f1) / width);
            }
        return result;
    }

    // Dendritic needles: strokes of random direction and length with two side branches at +-60 degrees
    // from their midpoint, splatted bilinearly and combined with max so crossings stay bright.
    private static double[] Needles(int side, double cell, CorruptionRandom rng)
    {
        var result = new double[side * side];
        int count = (int)Math.Round(6.0 * side * side / (cell * cell));
        for (int k = 0; k < count; k++)
        {
            double x0 = rng.NextDouble() * side, y0 = rng.NextDouble() * side;
            double angle = rng.NextDouble() * Math.PI;
            double length = (0.3 + 0.9 * rng.NextDouble()) * cell;
            double intensity = 0.4 + 0.6 * rng.NextDouble();
            Stroke(result, side, x0, y0, angle, length, intensity);
            double mx = x0 + 0.5 * length * Math.Cos(angle), my = y0 + 0.5 * length * Math.Sin(angle);
            Stroke(result, side, mx, my, angle + Math.PI / 3, 0.4 * length, 0.8 * intensity);
            Stroke(result, side, mx, my, angle - Math.PI / 3, 0.4 * length, 0.8 * intensity);
        }
        return result;
    }

    private static void Stroke(double[] canvas, int side, double x0, double y0, double angle, double length, double intensity)
    {
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        for (double t = 0; t <= length; t += 0.5)
        {
            double x = x0 + t * cos, y = y0 + t * sin;
            int ix = (int)Math.Floor(x), iy = (int)Math.Floor(y);
            double fx = x - ix, fy = y - iy;
            // Fade towards the tip, as needles thin out.
            double v = intensity * (1 - 0.6 * t / Math.Max(length, 1e-9));
            Splat(canvas, side, ix, iy, v * (1 - fx) * (1 - fy));
            Splat(canvas, side, ix + 1, iy, v * fx * (1 - fy));
            Splat(canvas, side, ix, iy + 1, v * (1 - fx) * fy);
            Splat(canvas, side, ix + 1, iy + 1, v * fx * fy);
        }
    }

    private static void Splat(double[] canvas, int side, int x, int y, double v)
    {
        // Wrap around so the texture has no empty margins.
        x = ((x % side) + side) % side;
        y = ((y % side) + side) % side;
        int i = y * side + x;
        if (v > canvas[i]) canvas[i] = v;
    }

    private static void Rescale(double[] values)
    {
        double min = values.Min(), max = values.Max();
        for (int i = 0; i < values.Length; i++) values[i] = max > min ? (values[i] - min) / (max - min) : 0;
    }
}

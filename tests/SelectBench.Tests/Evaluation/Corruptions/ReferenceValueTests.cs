using SelectBench.Evaluation.Corruptions;

namespace SelectBench.Tests.Evaluation.Corruptions;

/// <summary>Corruption outputs checked against values computed by hand from the reference formulas.</summary>
public sealed class ReferenceValueTests
{
    [Fact]
    public void Brightness_grey_adds_c_and_truncates_like_np_uint8()
    {
        // severity 3: c = 0.3; (100/255 + 0.3) * 255 = 176.5 -> np.uint8 -> 176; 250 clips to 255.
        byte[] output = new Brightness().Apply([100, 250, 0, 10], 1, 2, 2, 3, new CorruptionRandom(0));
        Assert.Equal(new byte[] { 176, 255, 76, 86 }, output);
    }

    [Fact]
    public void Brightness_rgb_raises_hsv_value_keeping_hue_and_saturation()
    {
        // (200, 100, 50), severity 1: V = 200/255 -> V + 0.1; RGB scales by (V + 0.1) / V:
        // 225.5 -> 225, 112.75 -> 112, 56.37 -> 56. Black becomes grey 0.1 * 255 = 25.5 -> 25.
        byte[] image = [200, 0, 100, 0, 50, 0]; // planes R, G, B of a 1x2 image
        byte[] output = new Brightness().Apply(image, 3, 1, 2, 1, new CorruptionRandom(0));
        Assert.Equal(new byte[] { 225, 25, 112, 25, 56, 25 }, output);
    }

    [Fact]
    public void Contrast_pulls_towards_the_channel_mean()
    {
        // Half 0, half 255: mean 0.5; severity 1, c = 0.4: 0.5 -+ 0.2 -> 0.3*255 = 76.5 -> 76, 0.7*255 = 178.5 -> 178.
        byte[] output = new Contrast().Apply([0, 255, 0, 255], 1, 2, 2, 1, new CorruptionRandom(0));
        Assert.Equal(new byte[] { 76, 178, 76, 178 }, output);
    }

    [Fact]
    public void Gaussian_noise_has_the_reference_standard_deviation()
    {
        // Constant 128 (0.502), severity 1: sigma 0.08 on [0,1] = 20.4 grey levels; no clipping at 6 sigma
        // is rare; truncation lowers the mean by about 0.5.
        var image = Enumerable.Repeat((byte)128, 64 * 64).ToArray();
        byte[] output = new GaussianNoise().Apply(image, 1, 64, 64, 1, new CorruptionRandom(7));
        double mean = output.Average(b => (double)b);
        double std = Math.Sqrt(output.Average(b => (b - mean) * (b - mean)));
        Assert.InRange(mean, 127.5 - 1.5, 127.5 + 1.5);
        Assert.InRange(std, 20.4 * 0.95, 20.4 * 1.05);
    }

    [Fact]
    public void Shot_noise_keeps_the_mean_and_has_poisson_variance()
    {
        // severity 1: c = 60, lambda = 0.502 * 60 = 30.1; k / 60 has sd sqrt(30.1) / 60 = 0.0914 -> 23.3 levels.
        var image = Enumerable.Repeat((byte)128, 64 * 64).ToArray();
        byte[] output = new ShotNoise().Apply(image, 1, 64, 64, 1, new CorruptionRandom(8));
        double mean = output.Average(b => (double)b);
        double std = Math.Sqrt(output.Average(b => (b - mean) * (b - mean)));
        Assert.InRange(mean, 127.5 - 1.5, 127.5 + 1.5);
        Assert.InRange(std, 23.3 * 0.93, 23.3 * 1.07);
    }

    [Fact]
    public void Impulse_noise_flips_the_reference_fraction_to_black_or_white()
    {
        // severity 5: amount 0.27; half salt (255), half pepper (0); the rest untouched.
        var image = Enumerable.Repeat((byte)128, 100 * 100).ToArray();
        byte[] output = new ImpulseNoise().Apply(image, 1, 100, 100, 5, new CorruptionRandom(9));
        double salt = output.Count(b => b == 255) / 10000.0, pepper = output.Count(b => b == 0) / 10000.0;
        Assert.Equal(10000, output.Count(b => b is 0 or 128 or 255));
        Assert.InRange(salt + pepper, 0.27 - 0.02, 0.27 + 0.02);
        Assert.InRange(salt, 0.135 - 0.015, 0.135 + 0.015);
    }

    [Fact]
    public void Pixelate_box_averages_then_repeats_nearest()
    {
        // 4x4 at severity 2 (c = 0.5): PIL BOX to 2x2 averages 2x2 blocks (rounded), NEAREST repeats them.
        byte[] image =
        [
            0, 10, 100, 101,
            20, 30, 102, 103,
            200, 200, 7, 8,
            200, 201, 9, 10,
        ];
        byte[] output = new Pixelate().Apply(image, 1, 4, 4, 2, new CorruptionRandom(0));
        // Row pass: (0+10)/2 = 5, (100+101)/2 = 100.5 -> 101, (20+30)/2 = 25, (102+103)/2 = 102.5 -> 103, ...
        // Column pass: (5+25)/2 = 15, (101+103)/2 = 102, (200+201)/2 = 200.5 -> 201 (200.5 from 200, 200.5->201), (8+10)/2 = 9.
        Assert.Equal(new byte[]
        {
            15, 15, 102, 102,
            15, 15, 102, 102,
            201, 201, 9, 9,
            201, 201, 9, 9,
        }, output);
    }

    [Fact]
    public void Pillow_box_windows_for_a_non_integer_scale()
    {
        // 28 -> 16 (severity 1): scale 1.75; output 0 covers centres in (-0.375, 1.375]: pixels 0, 1.
        // output 1: centre 2.625, window (1.75, 3.5]: pixels 2, 3 (centre 2.5 and 3.5 -> x - c + 0.5 in (-0.875, 0.875]).
        Span<int> from = stackalloc int[16], count = stackalloc int[16];
        Pixelate.BoxWindows(28, 16, from, count);
        Assert.Equal(0, from[0]);
        Assert.Equal(2, count[0]);
        Assert.Equal(2, from[1]);
        Assert.Equal(2, count[1]);
        int covered = 0;
        for (int i = 0; i < 16; i++) covered += count[i];
        Assert.Equal(28, covered); // every input pixel used exactly once for this scale
    }

    [Fact]
    public void Zoom_blur_uses_numpy_arange_factor_counts()
    {
        // np.arange(1, 1.11, 0.01) has 12 elements in double arithmetic (ceil(11.000000000000009)).
        Assert.Equal(12, ZoomBlur.ZoomFactors(1).Count);
        Assert.Equal(1.11, ZoomBlur.ZoomFactors(1)[^1], 9);
        Assert.Equal(16, ZoomBlur.ZoomFactors(2).Count);
        Assert.Equal(11, ZoomBlur.ZoomFactors(3).Count);
        Assert.Equal(13, ZoomBlur.ZoomFactors(4).Count);
        Assert.Equal(11, ZoomBlur.ZoomFactors(5).Count);
    }

    [Theory]
    [InlineData("motion_blur")]
    [InlineData("zoom_blur")]
    [InlineData("glass_blur")]
    [InlineData("elastic_transform")]
    [InlineData("pixelate")]
    public void Geometric_and_blur_corruptions_leave_a_constant_image_constant(string name)
    {
        // Kernels sum to 1 and resamplers interpolate, so a flat 64x64 image stays flat (to within the
        // final truncation). Motion blur's taps all fit inside 64 pixels, so none are dropped.
        var image = Enumerable.Repeat((byte)150, 64 * 64).ToArray();
        var corruption = SelectBench.Evaluation.Corruptions.Corruptions.Get(name);
        for (int severity = 1; severity <= 5; severity++)
        {
            byte[] output = corruption.Apply(image, 1, 64, 64, severity, new CorruptionRandom(3));
            Assert.All(output, b => Assert.InRange(b, (byte)149, (byte)150));
        }
    }

    [Fact]
    public void Defocus_kernel_keeps_the_reference_border_mass_at_severities_4_and_5()
    {
        // disk(8, 0.5) and disk(10, 0.5) touch the edge of their grid, and cv2.GaussianBlur's
        // BORDER_REFLECT_101 folds mass back in without renormalising: the kernels sum to 1.01298 and
        // 1.01079 (computed from the reference construction), so flat 150 becomes 151.95 -> 151 and
        // 151.62 -> 151. Severities 1-3 sum to 1.
        var image = Enumerable.Repeat((byte)150, 40 * 40).ToArray();
        var blur = new DefocusBlur();
        for (int severity = 1; severity <= 3; severity++)
            Assert.All(blur.Apply(image, 1, 40, 40, severity, new CorruptionRandom(0)), b => Assert.InRange(b, (byte)149, (byte)150));
        for (int severity = 4; severity <= 5; severity++)
            Assert.All(blur.Apply(image, 1, 40, 40, severity, new CorruptionRandom(0)), b => Assert.Equal(151, b));
    }

    [Fact]
    public void Motion_blur_kernel_taps_follow_the_reference_shifts()
    {
        // _motion_blur(radius 2, sigma 1, angle 0): taps i = 0..4 with weight exp(-i²/2) / sum, shift
        // (dy, dx) = (-ceil(-0.5), -ceil(i - 0.5)) = (0, -i), so output x reads source x + i: an impulse at
        // 10 lands on 10 - i with weight k_i.
        var source = new float[20];
        source[10] = 1;
        var blurred = new float[20];
        MotionBlurKernel.Apply(source, blurred, 1, 20, radius: 2, sigma: 1, angleDegrees: 0);
        double sum = Enumerable.Range(0, 5).Sum(i => Math.Exp(-0.5 * i * i));
        for (int i = 0; i < 5; i++) Assert.Equal(Math.Exp(-0.5 * i * i) / sum, blurred[10 - i], 6);
        Assert.Equal(0, blurred[11]);
        Assert.Equal(0, blurred[5]);

        // Angle 90: the shift is vertical, (dy, dx) = (-i, 0).
        var column = new float[20];
        column[10] = 1;
        var down = new float[20];
        MotionBlurKernel.Apply(column, down, 20, 1, radius: 2, sigma: 1, angleDegrees: 90);
        for (int i = 0; i < 5; i++) Assert.Equal(Math.Exp(-0.5 * i * i) / sum, down[10 - i], 6);
    }

    [Fact]
    public void Plasma_fractal_spans_zero_to_one_and_depends_on_the_seed()
    {
        var a = new double[32 * 32];
        var b = new double[32 * 32];
        PlasmaFractal.Generate(a, 32, 2, new CorruptionRandom(1));
        PlasmaFractal.Generate(b, 32, 2, new CorruptionRandom(2));
        Assert.Equal(0, a.Min());
        Assert.Equal(1, a.Max());
        Assert.NotEqual(a, b);
        Assert.Equal(32, PlasmaFractal.NextPowerOfTwo(28));
        Assert.Equal(64, PlasmaFractal.NextPowerOfTwo(33));
    }

    [Fact]
    public void Fog_of_a_black_image_is_black()
    {
        // x * max(x) / (max(x) + c) with max(x) = 0.
        byte[] output = new Fog().Apply(new byte[3 * 10 * 12], 3, 10, 12, 5, new CorruptionRandom(1));
        Assert.All(output, b => Assert.Equal(0, b));
    }
}

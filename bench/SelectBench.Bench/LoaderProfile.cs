using System.Globalization;
using System.Runtime.InteropServices;
using SelectBench.Common;
using SelectBench.Training;
using SkiaSharp;

namespace SelectBench.Bench;

/// <summary>
/// Where the loader's CPU per image goes (loader-throughput --profile N): one thread, N images, the stages of
/// <see cref="ParallelLoader.Load"/> timed by the thread's own CPU clock (CLOCK_THREAD_CPUTIME_ID), so other
/// processes on a loaded machine do not count. python/torchvision_loader.py --profile N does the same for PIL.
/// </summary>
internal static class LoaderProfile
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU seconds this thread has used.</summary>
    public static double ThreadCpu()
    {
        ClockGetTime(3, out var t);  // CLOCK_THREAD_CPUTIME_ID
        return t.Seconds + t.Nanoseconds * 1e-9;
    }

    public static void Run(string[] files, int count, int size)
    {
        count = Math.Min(count, files.Length);
        var names = new[] { "read file", "SKData copy + SKCodec.Create", "decode (DCT-scaled, RGBA)", "crop+resize (SKCanvas bilinear)", "RGBA -> planar + flip", "ParallelLoader.Load (all, for comparison)" };
        var cpu = new double[names.Length];
        var transform = new LoaderTransform(3, size, size, ResizedCrop: true, MinScale: 0.08, HorizontalFlip: true);
        var into = new byte[3 * size * size];
        // Warm up the JIT and the codec.
        for (int i = 0; i < 20; i++) Stages(files[i], i, size, into, new double[names.Length]);
        for (int i = 0; i < count; i++) Stages(files[i], i, size, into, cpu);
        var loader = new ParallelLoader(new ProfileSource(files), transform, 0, 1, 1, false);
        for (int i = 0; i < 20; i++) loader.Load(i, 0, i, into);
        double t0 = ThreadCpu();
        for (int i = 0; i < count; i++) loader.Load(i, 0, i, into);
        cpu[^1] = ThreadCpu() - t0;
        // The loader's two stages apart: the region decode alone (the same boxes), the rest is the fused resize.
        var pixels = new byte[1 << 18];
        double regionCpu = 0;
        for (int i = 0; i < count; i++)
        {
            var bytes = File.ReadAllBytes(files[i]);
            var rng = new SplitMix64(Seeds.LoaderSample(0, 0, i));
            double t1 = ThreadCpu();
            Data.ImageCodec.DecodeRgbaRegion(bytes, files[i], (w, h) =>
            {
                var box = ResizedCropBox.Draw(h, w, 0.08, rng);
                return (Math.Max((double)size / box.Width, (double)size / box.Height), box.Left, box.Top, box.Width, box.Height);
            }, ref pixels);
            regionCpu += ThreadCpu() - t1;
        }
        // How far the loader's pixels are from the staged pipeline's (Skia's bilinear draw of the whole decoded image).
        var staged = new byte[into.Length];
        long diff = 0; int max = 0;
        for (int i = 0; i < count; i++)
        {
            Stages(files[i], i, size, staged, new double[names.Length]);
            loader.Load(i, 0, i, into);
            for (int k = 0; k < into.Length; k++) { int d = Math.Abs(into[k] - staged[k]); diff += d; max = Math.Max(max, d); }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Load vs the staged Skia pipeline: mean |difference| {(double)diff / count / into.Length:F2} of 255, max {max}"));
        Console.WriteLine($"SelectBench loader stages, 1 thread, {count} images, thread CPU ms per image:");
        double sum = 0;
        for (int s = 0; s < names.Length; s++)
        {
            if (s < names.Length - 1) sum += cpu[s];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {names[s],-44} {1000 * cpu[s] / count,7:F3}"));
            if (s == names.Length - 2) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"sum of stages",-44} {1000 * sum / count,7:F3}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"  of which the region decode (no file read)",-44} {1000 * regionCpu / count,7:F3}"));
    }

    private sealed class ProfileSource(string[] files) : Data.IEncodedImageSource
    {
        public int Count => files.Length;
        public ReadOnlyMemory<byte> Encoded(int index) => File.ReadAllBytes(files[index]);
        public string Describe(int index) => files[index];
    }

    private static void Stages(string file, int position, int size, byte[] into, double[] cpu)
    {
        double t = ThreadCpu(), u;
        var bytes = File.ReadAllBytes(file);
        u = ThreadCpu(); cpu[0] += u - t; t = u;
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        u = ThreadCpu(); cpu[1] += u - t; t = u;
        var rng = new SplitMix64(Seeds.LoaderSample(0, 0, position));
        int w = codec.Info.Width, h = codec.Info.Height;
        var box = ResizedCropBox.Draw(h, w, 0.08, rng);
        double scale = Math.Max((double)size / box.Width, (double)size / box.Height);
        int sw = w, sh = h;
        if (scale < 1)
            for (int k = 1; k < 8; k++)
            {
                var d = codec.GetScaledDimensions(k / 8f);
                if (d.Width >= Math.Ceiling(w * scale - 1e-6) && d.Height >= Math.Ceiling(h * scale - 1e-6)) { sw = d.Width; sh = d.Height; break; }
            }
        var info = new SKImageInfo(sw, sh, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var rgba = new SKBitmap(info);
        codec.GetPixels(info, rgba.GetPixels());
        u = ThreadCpu(); cpu[2] += u - t; t = u;
        bool flip = ResizedCropBox.Uniform(rng) < 0.5;
        double sx = (double)sw / w, sy = (double)sh / h;
        using var resized = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(resized))
        using (var pixmap = rgba.PeekPixels())
        using (var image = SKImage.FromPixels(pixmap))
        {
            var from = new SKRect((float)(box.Left * sx), (float)(box.Top * sy), (float)((box.Left + box.Width) * sx), (float)((box.Top + box.Height) * sy));
            canvas.DrawImage(image, from, new SKRect(0, 0, size, size), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        }
        u = ThreadCpu(); cpu[3] += u - t; t = u;
        var src = resized.GetPixelSpan();
        int plane = size * size;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int s = y * resized.RowBytes + 4 * (flip ? size - 1 - x : x);
                into[y * size + x] = src[s];
                into[plane + y * size + x] = src[s + 1];
                into[2 * plane + y * size + x] = src[s + 2];
            }
        u = ThreadCpu(); cpu[4] += u - t;
    }
}

using SelectBench.Common;
using SelectBench.Data;
using static TorchSharp.torch;

namespace SelectBench.Training;

/// <summary>What the loader makes of each encoded image.</summary>
/// <param name="Channels">1 (grey, PIL's luma weights) or 3.</param>
/// <param name="Height">Output height in pixels.</param>
/// <param name="Width">Output width in pixels.</param>
/// <param name="ResizedCrop">True: random-resized-crop (<see cref="ResizedCropBox"/>); false: the centred square of the
/// shorter side, resized (the evaluation view with crop fraction 1).</param>
/// <param name="MinScale">Smallest crop area as a fraction of the image, for random-resized-crop.</param>
/// <param name="HorizontalFlip">Flip each image left-right with probability 1/2.</param>
public sealed record LoaderTransform(int Channels, int Height, int Width, bool ResizedCrop, double MinScale, bool HorizontalFlip);

/// <summary>
/// The parallel training loader for out-of-core sets (docs/training.md "The parallel loader"): worker threads read
/// encoded images from an <see cref="IEncodedImageSource"/>, decode only each crop's region, at the smallest JPEG DCT
/// scale that still covers it (<see cref="ImageCodec.DecodeRgbaRegion"/>), resize and flip it (timm's train
/// transform), and write it straight into a uint8 N x C x H x W batch tensor; up to <c>prefetch</c> batches are in
/// flight. The batch tensors are pinned on a CUDA machine, so the trainer's copy to the GPU can be non-blocking.
/// Every sample's crop and flip come from its own SplitMix64 stream seeded by (seed, epoch, position in the epoch)
/// (<see cref="Seeds.LoaderSample"/>), so batch contents never depend on the number of workers or on timing.
/// </summary>
public sealed class ParallelLoader
{
    /// <summary>Samples per unit of work: small enough to spread one batch over the workers.</summary>
    private const int ChunkSize = 8;

    private readonly IEncodedImageSource source;
    private readonly LoaderTransform transform;
    private readonly int seed;
    private readonly int workers;
    private readonly int prefetch;
    private readonly bool pin;

    public ParallelLoader(IEncodedImageSource source, LoaderTransform transform, int seed, int workers, int prefetch, bool pinMemory)
    {
        if (transform.Channels is not (1 or 3)) throw new ArgumentException($"the loader makes 1 or 3 channels, not {transform.Channels}");
        if (workers < 1) throw new ArgumentException($"the loader needs at least 1 worker, not {workers}");
        if (prefetch < 1) throw new ArgumentException($"the loader needs a prefetch of at least 1 batch, not {prefetch}");
        this.source = source;
        this.transform = transform;
        this.seed = seed;
        this.workers = workers;
        this.prefetch = prefetch;
        pin = pinMemory;
    }

    public int ImageSize => transform.Channels * transform.Height * transform.Width;

    /// <summary>
    /// The batches of one epoch from step <paramref name="fromStep"/> on, in order: batch b holds the samples
    /// <paramref name="order"/>[start..start+length) of <paramref name="batches"/>[b] as a uint8 tensor on the CPU. A
    /// yielded tensor stays valid until the next one is asked for (its memory is reused); copy it to keep it.
    /// </summary>
    public IEnumerable<Tensor> Epoch(int epoch, IReadOnlyList<int> order, IReadOnlyList<(int Start, int Length)> batches,
                                     int fromStep = 0, CancellationToken cancellation = default)
    {
        if (fromStep >= batches.Count) yield break;
        int batchCapacity = batches.Max(b => b.Length);
        var run = new EpochRun(this, epoch, order, batches, fromStep, batchCapacity);
        var threads = Enumerable.Range(0, workers).Select(k => new Thread(run.Work) { IsBackground = true, Name = $"loader-{k}" }).ToList();
        foreach (var t in threads) t.Start();
        try
        {
            for (int b = fromStep; b < batches.Count; b++)
            {
                var batch = run.WaitFor(b, cancellation);
                yield return batch.narrow(0, 0, batches[b].Length);
                run.Release(b);
            }
        }
        finally
        {
            run.Stop();
            foreach (var t in threads) t.Join();
            run.Dispose();
        }
    }

    /// <summary>
    /// Sample <paramref name="index"/> of the source as it appears at <paramref name="position"/> of epoch
    /// <paramref name="epoch"/>: decoded at reduced size, cropped, resized and maybe flipped, C x H x W into <paramref name="into"/>.
    /// </summary>
    public void Load(int index, int epoch, long position, Span<byte> into)
    {
        var rng = new SplitMix64(Seeds.LoaderSample(seed, epoch, position));
        int outH = transform.Height, outW = transform.Width;
        CropBox box = default;
        var pixels = decodeBuffer ??= new byte[1 << 18];
        var region = ImageCodec.DecodeRgbaRegion(source.Encoded(index).Span, source.Describe(index), (w, h) =>
        {
            box = transform.ResizedCrop ? ResizedCropBox.Draw(h, w, transform.MinScale, rng) : ResizedCropBox.CenterSquare(h, w);
            // Decode at the smallest scale at which the box still has the output's pixels, so the resize only shrinks.
            return (Math.Max((double)outW / box.Width, (double)outH / box.Height), box.Left, box.Top, box.Width, box.Height);
        }, ref pixels);
        decodeBuffer = pixels;
        bool flip = transform.HorizontalFlip && ResizedCropBox.Uniform(rng) < 0.5;
        // The box in the decoded region's pixels.
        double left = box.Left * region.ScaleX - region.Left, top = box.Top * region.ScaleY - region.Top;
        double width = box.Width * region.ScaleX, height = box.Height * region.ScaleY;
        // Bilinear on a source at most about 2x the output (the DCT scale steps are k/8), which keeps the
        // aliasing of a plain bilinear shrink small; PIL's antialiased filter would cost a second pass.
        BilinearToChw(pixels, region.Width, region.Height, left, top, width, height, outW, outH, transform.Channels, flip, into);
    }

    /// <summary>Each worker thread's decode buffer, grown to the largest region it has decoded.</summary>
    [ThreadStatic] private static byte[]? decodeBuffer;

    /// <summary>
    /// Resizes the box (<paramref name="left"/>, <paramref name="top"/>, <paramref name="width"/>, <paramref name="height"/>)
    /// of an RGBA image (rows of 4 x <paramref name="srcW"/> bytes) to <paramref name="outW"/> x <paramref name="outH"/> by
    /// bilinear interpolation, and writes it C x H x W (mirrored left-right if <paramref name="flip"/>) in one pass.
    /// Output pixel centres map to box coordinates as in Skia and PIL, (x + 1/2) * width / outW - 1/2 from the box's
    /// left edge; taps outside the image are clamped to its edge pixels. Weights are 8-bit fixed point, as Skia's
    /// bilinear raster pipeline uses.
    /// </summary>
    internal static void BilinearToChw(ReadOnlySpan<byte> rgba, int srcW, int srcH, double left, double top, double width, double height,
                                       int outW, int outH, int channels, bool flip, Span<byte> dst)
    {
        Span<int> xs = outW <= 1024 ? stackalloc int[2 * outW] : new int[2 * outW];
        Span<int> wx = outW <= 1024 ? stackalloc int[outW] : new int[outW];
        for (int x = 0; x < outW; x++)
        {
            var (i0, w1) = Tap(left + (x + 0.5) * width / outW - 0.5, srcW);
            int at = flip ? outW - 1 - x : x;
            xs[2 * at] = 4 * i0;
            xs[2 * at + 1] = 4 * Math.Min(i0 + 1, srcW - 1);
            wx[at] = w1;
        }
        int plane = outH * outW;
        int stride = 4 * srcW;
        for (int y = 0; y < outH; y++)
        {
            var (j0, wy1) = Tap(top + (y + 0.5) * height / outH - 0.5, srcH);
            var r0 = rgba.Slice(j0 * stride, stride);
            var r1 = rgba.Slice(Math.Min(j0 + 1, srcH - 1) * stride, stride);
            int wy0 = 256 - wy1;
            int o = y * outW;
            for (int x = 0; x < outW; x++)
            {
                int a = xs[2 * x], b = xs[2 * x + 1], w1 = wx[x], w0 = 256 - w1;
                // Each channel: horizontal lerps on both rows (x 256), then the vertical one (x 256), rounded.
                int r = ((r0[a] * w0 + r0[b] * w1) * wy0 + (r1[a] * w0 + r1[b] * w1) * wy1 + 32768) >> 16;
                int g = ((r0[a + 1] * w0 + r0[b + 1] * w1) * wy0 + (r1[a + 1] * w0 + r1[b + 1] * w1) * wy1 + 32768) >> 16;
                int bl = ((r0[a + 2] * w0 + r0[b + 2] * w1) * wy0 + (r1[a + 2] * w0 + r1[b + 2] * w1) * wy1 + 32768) >> 16;
                if (channels == 3)
                {
                    dst[o + x] = (byte)r;
                    dst[plane + o + x] = (byte)g;
                    dst[2 * plane + o + x] = (byte)bl;
                }
                else
                {
                    // ITU-R BT.601 luma with PIL's weights, as ImageCodec's grey conversion.
                    dst[o + x] = (byte)((299 * r + 587 * g + 114 * bl + 500) / 1000);
                }
            }
        }
    }

    /// <summary>The left tap of a bilinear sample at <paramref name="at"/> (clamped to [0, size - 1]) and the right tap's weight in 1/256.</summary>
    private static (int Index, int Weight) Tap(double at, int size)
    {
        if (at <= 0) return (0, 0);
        if (at >= size - 1) return (size - 1, 0);
        int i = (int)at;
        return (i, (int)Math.Round((at - i) * 256));
    }

    /// <summary>One epoch's shared state: the work items, the batch buffers, and the window of batches in flight.</summary>
    private sealed class EpochRun : IDisposable
    {
        private readonly ParallelLoader loader;
        private readonly int epoch;
        private readonly IReadOnlyList<int> order;
        private readonly IReadOnlyList<(int Start, int Length)> batches;
        private readonly List<(int Batch, int From, int Count)> items = [];
        private readonly int[] remaining;
        private readonly Tensor?[] assigned;
        private readonly Stack<Tensor> free = new();
        private readonly List<Tensor> all = [];
        private readonly object gate = new();
        private int nextItem;
        private int released;
        private bool stopped;
        private Exception? failure;

        public EpochRun(ParallelLoader loader, int epoch, IReadOnlyList<int> order, IReadOnlyList<(int Start, int Length)> batches, int fromStep, int capacity)
        {
            this.loader = loader;
            this.epoch = epoch;
            this.order = order;
            this.batches = batches;
            released = fromStep;
            remaining = new int[batches.Count];
            assigned = new Tensor?[batches.Count];
            for (int b = fromStep; b < batches.Count; b++)
            {
                remaining[b] = batches[b].Length;
                for (int k = 0; k < batches[b].Length; k += ChunkSize) items.Add((b, k, Math.Min(ChunkSize, batches[b].Length - k)));
            }
            var t = loader.transform;
            for (int i = 0; i < Math.Min(loader.prefetch, batches.Count - fromStep); i++)
            {
                var buffer = empty([capacity, t.Channels, t.Height, t.Width], ScalarType.Byte);
                if (loader.pin) { var pinned = buffer.pin_memory(); buffer.Dispose(); buffer = pinned; }
                // The buffers live for the epoch, across the training steps' dispose scopes; Dispose frees them.
                buffer.DetachFromDisposeScope();
                all.Add(buffer);
                free.Push(buffer);
            }
        }

        public void Work()
        {
            try
            {
                while (true)
                {
                    (int Batch, int From, int Count) item;
                    Tensor buffer;
                    lock (gate)
                    {
                        while (!stopped && nextItem < items.Count && items[nextItem].Batch >= released + loader.prefetch) Monitor.Wait(gate);
                        if (stopped || nextItem >= items.Count) return;
                        item = items[nextItem++];
                        buffer = assigned[item.Batch] ??= free.Pop();
                    }
                    Fill(buffer, item);
                    lock (gate)
                    {
                        remaining[item.Batch] -= item.Count;
                        if (remaining[item.Batch] == 0) Monitor.PulseAll(gate);
                    }
                }
            }
            catch (Exception e)
            {
                lock (gate)
                {
                    failure ??= e;
                    stopped = true;
                    Monitor.PulseAll(gate);
                }
            }
        }

        private void Fill(Tensor buffer, (int Batch, int From, int Count) item)
        {
            int size = loader.ImageSize;
            var (start, _) = batches[item.Batch];
            for (int k = item.From; k < item.From + item.Count; k++)
            {
                // Each worker writes its own samples' bytes of the shared batch tensor (disjoint ranges).
                int position = start + k;
                loader.Load(order[position], epoch, position, buffer.bytes.Slice(k * size, size));
            }
        }

        public Tensor WaitFor(int batch, CancellationToken cancellation)
        {
            lock (gate)
            {
                while (remaining[batch] > 0 && failure is null)
                {
                    cancellation.ThrowIfCancellationRequested();
                    Monitor.Wait(gate, 200);
                }
                if (failure is SelectBenchException) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                if (failure is not null) throw new SelectBenchException($"The training loader failed: {failure.Message}", failure);
                return assigned[batch]!;
            }
        }

        public void Release(int batch)
        {
            lock (gate)
            {
                free.Push(assigned[batch]!);
                assigned[batch] = null;
                released = batch + 1;
                Monitor.PulseAll(gate);
            }
        }

        public void Stop()
        {
            lock (gate)
            {
                stopped = true;
                Monitor.PulseAll(gate);
            }
        }

        public void Dispose()
        {
            foreach (var t in all) t.Dispose();
        }
    }
}

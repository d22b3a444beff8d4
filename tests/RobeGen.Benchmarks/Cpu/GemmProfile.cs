using System.Diagnostics;
using System.Globalization;
using RobeGen.Cpu.Gemm;
using RobeGen.Cpu.Threading;

namespace RobeGen.Benchmarks.Cpu;

/// <summary>
/// `cpu-gemm`: time and GFLOP/s of every GEMM of a Kaggle-model training step at one batch size (the profile behind
/// docs/benchmarks.md's training figures): forward Y = X W^T (W^T packed, as after each optimizer step), dW = dY^T X
/// and dX = dY W, for the bottom 13-512-256-64-16 and top 367-512-256 layers (the logit layer is a dot per row).
/// Each product runs warm for a fixed time; the figure is the mean over the calls.
/// </summary>
internal static class GemmProfile
{
    private static readonly (int In, int Out)[] Layers = [(13, 512), (512, 256), (256, 64), (64, 16), (367, 512), (512, 256)];

    public static int Run(string[] args)
    {
        int threads = CpuBenchmark.IntOption(args, "--threads", 1);
        int m = CpuBenchmark.IntOption(args, "--batch", 128);
        double seconds = double.Parse(CpuBenchmark.Option(args, "--seconds") ?? "0.3", CultureInfo.InvariantCulture);
        using var pool = new WorkerPool(threads);
        using var gemm = new Sgemm(pool);
        using var packed = new PackedMatrix();
        var random = new Random(1);
        float[] Values(int count) => Enumerable.Range(0, count).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

        Console.WriteLine($"GEMMs of one training step, batch {m}, {threads} thread(s), {gemm.KernelName}:");
        double totalSeconds = 0, totalFlops = 0;
        foreach (var (inputs, outputs) in Layers)
        {
            float[] x = Values(m * inputs), w = Values(inputs * outputs), bias = Values(outputs), dy = Values(m * outputs);
            float[] y = new float[m * outputs], dw = new float[inputs * outputs], dx = new float[m * inputs];
            double flops = 2.0 * m * inputs * outputs;
            var products = new List<(string, Action)>
            {
                ("forward pack W^T + X W^T", () =>
                {
                    gemm.Pack(transB: true, outputs, inputs, w, inputs, packed);
                    gemm.MultiplyPacked(m, x, inputs, packed, y, outputs, accumulate: false, bias, relu: true);
                }),
                ("dW = dY^T X", () => gemm.Multiply(true, false, outputs, inputs, m, dy, outputs, x, inputs, dw, inputs)),
            };
            // The first layer's input is data: no dX.
            if (inputs != 13) products.Add(("dX = dY W", () => gemm.Multiply(false, false, m, inputs, outputs, dy, outputs, w, inputs, dx, inputs)));
            foreach (var (name, product) in products)
            {
                for (int i = 0; i < 50; i++) product();
                int calls = 0;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < seconds) { product(); calls++; }
                double each = clock.Elapsed.TotalSeconds / calls;
                totalSeconds += each;
                totalFlops += flops;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {inputs,4} -> {outputs,-4} {name,-26} {each * 1e6,9:0.0} us {flops / each / 1e9,7:0.0} GFLOP/s"));
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  all {totalSeconds * 1e6:0} us per step, {totalFlops / totalSeconds / 1e9:0.0} GFLOP/s"));
        return 0;
    }
}

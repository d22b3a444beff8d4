namespace RobeGen.Cpu.Quantized;

/// <summary>The portable kernel: the same integer sums as <see cref="Int8Kernel512"/> in plain loops (integer
/// addition is exact and associative, so the order does not matter).</summary>
internal sealed unsafe class Int8KernelScalar : Int8MicroKernel
{
    public override string Name => "scalar int8 8x32";

    public override void Compute(int quads, byte* activations, int rows, sbyte* weights, int* tile)
    {
        for (int r = 0; r < rows; r++)
        {
            int* row = tile + r * NR;
            for (int j = 0; j < NR; j++) row[j] = 0;
            for (int q = 0; q < quads; q++)
            {
                byte* a = activations + q * ActivationQuadBytes + r * KStep;
                sbyte* w = weights + q * WeightQuadBytes;
                for (int j = 0; j < NR; j++, w += KStep)
                    row[j] += a[0] * w[0] + a[1] * w[1] + a[2] * w[2] + a[3] * w[3];
            }
        }
    }
}

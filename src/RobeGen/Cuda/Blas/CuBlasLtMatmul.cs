using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using RobeGen.Cuda.Native;

namespace RobeGen.Cuda.Blas;

/// <summary>
/// <see cref="IGpuGemm.Matmul"/> on cuBLASLt: F32 or bf16 operands, F32 accumulation, the bias and ReLU fused into the
/// GEMM's epilogue. Row-major C = op(A) op(B) is run as column-major C^T = op(B)^T op(A)^T (operands swapped, as in
/// <see cref="CuBlasGemm"/>), so the bias, one value per column of the row-major C, is cuBLASLt's per-row bias of
/// C^T. Each distinct shape gets its descriptors and heuristic algorithm once (a plan); later calls only set the
/// bias pointer and launch. A reproducible instance (<see cref="Reproducible"/>) picks the same algorithm in every
/// process: the heuristic's first, never one timed fastest (timings vary, so two processes could pick two algorithms
/// and sum in two orders) nor one that adds split-K partial sums with atomics.
/// </summary>
internal sealed unsafe class CuBlasLtMatmul : IDisposable
{
    /// <summary>Workspace the heuristics may use (NVIDIA recommends 32 MiB on Hopper).</summary>
    private const int WorkspaceBytes = 32 << 20;

    private readonly CudaAccelerator _accelerator;
    private readonly IntPtr _stream;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> _workspace;
    private readonly Dictionary<PlanKey, Plan> _plans = new();
    private IntPtr _handle;

    /// <param name="accelerator">The GPU.</param>
    /// <param name="stream">The stream every product is queued on.</param>
    /// <param name="reproducible">Pick every algorithm without timing it and without atomic split-K reductions, so a
    /// model's products give the same bits in every process (deterministic training, bit-exact resumes).</param>
    public CuBlasLtMatmul(CudaAccelerator accelerator, CudaStream stream, bool reproducible = false)
    {
        Reproducible = reproducible;
        if (CudaNativeLibraries.TryLoadCuBlasLt() == IntPtr.Zero)
            throw new DllNotFoundException($"cuBLASLt was not found (tried {CudaNativeLibraries.CuBlasLtCandidateList}); it ships with cuBLAS in the CUDA 12 or 13 runtime.");
        _accelerator = accelerator;
        _stream = stream.StreamPtr;
        accelerator.Bind();
        CuBlasException.ThrowIfFailed(CuBlasLtNative.Create(out _handle), "cublasLtCreate");
        _workspace = accelerator.Allocate1D<byte>(WorkspaceBytes);
        Version = (long)CuBlasLtNative.GetVersion();
    }

    /// <summary>cublasLtGetVersion: major * 10000 + minor * 100 + patch.</summary>
    public long Version { get; }

    /// <summary>Whether every algorithm is chosen the same way in every process (see the constructor).</summary>
    public bool Reproducible { get; }

    public void Run(bool transA, bool transB, int m, int n, int k, float alpha, DeviceMatrix a, int lda, DeviceMatrix b, int ldb,
        float beta, DeviceMatrix c, int ldc, GemmEpilogue epilogue, DeviceMatrix bias, bool tf32)
    {
        ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
        _accelerator.Bind();
        IntPtr biasPointer = epilogue == GemmEpilogue.None ? IntPtr.Zero : bias.Pointer;
        var key = new PlanKey(transA, transB, m, n, k, a.Type, lda, Alignment(a.Pointer), b.Type, ldb, Alignment(b.Pointer),
            c.Type, ldc, Alignment(c.Pointer), epilogue, Alignment(biasPointer), beta != 0f, tf32);
        if (!_plans.TryGetValue(key, out Plan? plan)) _plans[key] = plan = CreatePlan(key, biasPointer, a.Pointer, b.Pointer, c.Pointer);
        if (epilogue != GemmEpilogue.None)
            CuBlasException.ThrowIfFailed(CuBlasLtNative.MatmulDescSetAttribute(plan.Desc, CuBlasLtNative.DescBiasPointer, &biasPointer, (nuint)sizeof(IntPtr)),
                "cublasLtMatmulDescSetAttribute(BIAS_POINTER)");
        fixed (ulong* algo = plan.Algo)
        {
            // Column-major: A' = the row-major B, B' = the row-major A.
            CuBlasException.ThrowIfFailed(CuBlasLtNative.Matmul(_handle, plan.Desc, &alpha, b.Pointer, plan.LayoutA, a.Pointer, plan.LayoutB,
                &beta, c.Pointer, plan.LayoutC, c.Pointer, plan.LayoutC, algo, ((ArrayView<byte>)_workspace.View).LoadEffectiveAddressAsPtr(), (nuint)WorkspaceBytes, _stream),
                $"cublasLtMatmul ({Describe(key)})");
        }
    }

    /// <summary>Descriptors for the column-major problem and the heuristic's first algorithm; throws naming the shape when none fits.</summary>
    private Plan CreatePlan(PlanKey key, IntPtr biasPointer, IntPtr a, IntPtr b, IntPtr c)
    {
        bool tensorF32 = key.A == ElementType.F32 && key.B == ElementType.F32;
        int compute = tensorF32 && key.Tf32 ? CuBlasLtNative.ComputeF32FastTf32 : CuBlasLtNative.ComputeF32;
        var plan = new Plan();
        try
        {
            CuBlasException.ThrowIfFailed(CuBlasLtNative.MatmulDescCreate(out plan.Desc, compute, CuBlasLtNative.DataF32), "cublasLtMatmulDescCreate");
            int opA = key.TransB ? CuBlasNative.OpT : CuBlasNative.OpN, opB = key.TransA ? CuBlasNative.OpT : CuBlasNative.OpN;
            SetDesc(plan.Desc, CuBlasLtNative.DescTransA, opA);
            SetDesc(plan.Desc, CuBlasLtNative.DescTransB, opB);
            if (key.Epilogue != GemmEpilogue.None)
            {
                uint epilogue = key.Epilogue == GemmEpilogue.BiasRelu ? CuBlasLtNative.EpilogueReluBias : CuBlasLtNative.EpilogueBias;
                CuBlasException.ThrowIfFailed(CuBlasLtNative.MatmulDescSetAttribute(plan.Desc, CuBlasLtNative.DescEpilogue, &epilogue, sizeof(uint)), "cublasLtMatmulDescSetAttribute(EPILOGUE)");
                // The bias has C's type (cuBLASLt refuses an F32 bias with a bf16 C: CUBLAS_STATUS_INVALID_VALUE on an H200).
                CuBlasException.ThrowIfFailed(CuBlasLtNative.MatmulDescSetAttribute(plan.Desc, CuBlasLtNative.DescBiasPointer, &biasPointer, (nuint)sizeof(IntPtr)),
                    "cublasLtMatmulDescSetAttribute(BIAS_POINTER)");
            }
            // Column-major shapes: A' is op(B)^T's storage (n x k before op), B' is op(A)^T's (k x m), C' is n x m.
            plan.LayoutA = Layout(key.B, key.TransB ? key.K : key.N, key.TransB ? key.N : key.K, key.Ldb);
            plan.LayoutB = Layout(key.A, key.TransA ? key.M : key.K, key.TransA ? key.K : key.M, key.Lda);
            plan.LayoutC = Layout(key.C, key.N, key.M, key.Ldc);

            CuBlasException.ThrowIfFailed(CuBlasLtNative.PreferenceCreate(out IntPtr preference), "cublasLtMatmulPreferenceCreate");
            try
            {
                ulong workspace = WorkspaceBytes;
                CuBlasException.ThrowIfFailed(CuBlasLtNative.PreferenceSetAttribute(preference, CuBlasLtNative.PreferenceMaxWorkspaceBytes, &workspace, sizeof(ulong)),
                    "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)");
                SetAlignment(preference, 5, key.AlignB); // MIN_ALIGNMENT_A_BYTES: A' is the row-major B
                SetAlignment(preference, 6, key.AlignA);
                SetAlignment(preference, 7, key.AlignC);
                SetAlignment(preference, 8, key.AlignC);
                if (Reproducible) SetPreference(preference, CuBlasLtNative.PreferenceReductionSchemeMask, CuBlasLtNative.ReductionSchemesInFixedOrder);
                var results = stackalloc CuBlasLtNative.HeuristicResult[Candidates];
                CuBlasException.ThrowIfFailed(CuBlasLtNative.AlgoGetHeuristic(_handle, plan.Desc, plan.LayoutA, plan.LayoutB, plan.LayoutC, plan.LayoutC,
                    preference, Candidates, results, out int returned), $"cublasLtMatmulAlgoGetHeuristic ({Describe(key)})");
                if (returned < 1 || results[0].State != 0)
                    throw new CuBlasException($"cublasLtMatmulAlgoGetHeuristic found no algorithm for {Describe(key)}", (CuBlasStatus)(returned < 1 ? 15 : results[0].State));
                int best = returned > 1 && !Reproducible && WorthTuning(key) ? Fastest(plan, results, returned, a, b, c) : 0;
                for (int i = 0; i < 8; i++) plan.Algo[i] = results[best].Algo[i];
            }
            finally
            {
                CuBlasLtNative.PreferenceDestroy(preference);
            }
            return plan;
        }
        catch
        {
            plan.Dispose();
            throw;
        }
    }

    /// <summary>Heuristic candidates asked for: the first is the heuristic's pick; large products time them all once.</summary>
    private const int Candidates = 8;

    /// <summary>Products big enough that a few timed runs at plan creation pay back (every MLP GEMM of the stock models at
    /// batch 2,048 and up). C must not be read (beta = 0): the timed runs overwrite it with the same product.</summary>
    private static bool WorthTuning(PlanKey key) => !key.ReadsC && (double)key.M * key.N * key.K >= 1 << 28;

    /// <summary>
    /// Index of the fastest candidate, each timed with device events over a few runs on the real operands (the heuristic's
    /// first pick is a model's estimate; measured, another candidate is often faster on these shapes). Once per plan.
    /// </summary>
    private int Fastest(Plan plan, CuBlasLtNative.HeuristicResult* candidates, int count, IntPtr a, IntPtr b, IntPtr c)
    {
        using var start = new CudaEvent(timing: true);
        using var end = new CudaEvent(timing: true);
        float* scalars = stackalloc float[2];
        scalars[0] = 1f;
        scalars[1] = 0f;
        int best = 0;
        float bestMs = float.MaxValue;
        for (int i = 0; i < count; i++)
        {
            if (candidates[i].State != 0 || candidates[i].WorkspaceSize > WorkspaceBytes) continue;
            void* algo = &candidates[i].Algo[0];
            CuBlasStatus Run() => CuBlasLtNative.Matmul(_handle, plan.Desc, scalars, b, plan.LayoutA, a, plan.LayoutB, scalars + 1, c, plan.LayoutC, c, plan.LayoutC,
                algo, ((ArrayView<byte>)_workspace.View).LoadEffectiveAddressAsPtr(), (nuint)WorkspaceBytes, _stream);
            if (Run() != CuBlasStatus.CUBLAS_STATUS_SUCCESS) continue;
            start.Record(_stream);
            for (int r = 0; r < 5; r++) Run();
            end.Record(_stream);
            end.Wait();
            float ms = end.MillisecondsSince(start);
            if (ms < bestMs) (best, bestMs) = (i, ms);
        }
        return best;
    }

    private static void SetDesc(IntPtr desc, int attribute, int value) =>
        CuBlasException.ThrowIfFailed(CuBlasLtNative.MatmulDescSetAttribute(desc, attribute, &value, sizeof(int)), $"cublasLtMatmulDescSetAttribute({attribute})");

    private static void SetAlignment(IntPtr preference, int attribute, int bytes) => SetPreference(preference, attribute, (uint)bytes);

    private static void SetPreference(IntPtr preference, int attribute, uint value) =>
        CuBlasException.ThrowIfFailed(CuBlasLtNative.PreferenceSetAttribute(preference, attribute, &value, sizeof(uint)), $"cublasLtMatmulPreferenceSetAttribute({attribute})");

    private static IntPtr Layout(ElementType type, int rows, int cols, int ld)
    {
        int data = type == ElementType.Bf16 ? CuBlasLtNative.DataBf16 : CuBlasLtNative.DataF32;
        CuBlasException.ThrowIfFailed(CuBlasLtNative.MatrixLayoutCreate(out IntPtr layout, data, (ulong)Math.Max(1, rows), (ulong)Math.Max(1, cols), Math.Max(1, ld)),
            "cublasLtMatrixLayoutCreate");
        return layout;
    }

    /// <summary>The largest power of two up to 256 that divides the address (what the heuristics may assume).</summary>
    private static int Alignment(IntPtr pointer)
    {
        long address = pointer.ToInt64();
        int alignment = 256;
        while (alignment > 1 && address % alignment != 0) alignment /= 2;
        return alignment;
    }

    private static string Describe(PlanKey k) =>
        $"row-major C[{k.M}x{k.N}] ({k.C}, ldc {k.Ldc}) = op(A{(k.TransA ? "^T" : "")}: {k.A}, lda {k.Lda}) op(B{(k.TransB ? "^T" : "")}: {k.B}, ldb {k.Ldb}), k {k.K}, epilogue {k.Epilogue}";

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        _accelerator.Bind();
        foreach (Plan plan in _plans.Values) plan.Dispose();
        _plans.Clear();
        CuBlasLtNative.Destroy(_handle);
        _handle = IntPtr.Zero;
        _workspace.Dispose();
    }

    private readonly record struct PlanKey(bool TransA, bool TransB, int M, int N, int K,
        ElementType A, int Lda, int AlignA, ElementType B, int Ldb, int AlignB, ElementType C, int Ldc, int AlignC,
        GemmEpilogue Epilogue, int AlignBias, bool ReadsC, bool Tf32);

    private sealed class Plan : IDisposable
    {
        public IntPtr Desc, LayoutA, LayoutB, LayoutC;
        public readonly ulong[] Algo = new ulong[8];

        public void Dispose()
        {
            if (LayoutA != IntPtr.Zero) CuBlasLtNative.MatrixLayoutDestroy(LayoutA);
            if (LayoutB != IntPtr.Zero) CuBlasLtNative.MatrixLayoutDestroy(LayoutB);
            if (LayoutC != IntPtr.Zero) CuBlasLtNative.MatrixLayoutDestroy(LayoutC);
            if (Desc != IntPtr.Zero) CuBlasLtNative.MatmulDescDestroy(Desc);
            LayoutA = LayoutB = LayoutC = Desc = IntPtr.Zero;
        }
    }
}

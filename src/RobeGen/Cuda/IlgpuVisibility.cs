// ILGPU's CPU accelerator runs kernels through IL it emits into a dynamic assembly named "ILGPURuntime"; kernel
// argument structs of ours that are internal must be visible to it.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("ILGPURuntime")]

using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace OpenSesame.Predictor.Semantics;

/// <summary>
/// Keeps ONNX Runtime from collecting telemetry. On Linux, version 1.30 otherwise writes a device id and an event
/// database under <c>$HOME/.cache/Microsoft/DeveloperTools/.onnxruntime</c> and a debug log per process in
/// <c>/tmp</c> when its environment is created (seen by <c>deploy/run-local.sh</c>), which a service that promises to
/// work offline and to write only to its data folder must not do. Only the variable <c>ORT_DISABLE_TELEMETRY</c>, read
/// by the native library as it starts, prevents that; <see cref="OrtEnv.DisableTelemetryEvents"/> comes too late for
/// the files, and is kept for Windows' event tracing.
/// </summary>
internal static class OnnxRuntimeTelemetry
{
    private const string Variable = "ORT_DISABLE_TELEMETRY";

    /// <summary>Call before anything touches ONNX Runtime; an operator's own setting of the variable is kept.</summary>
    public static void Disable()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            // .NET keeps its own copy of the environment on Unix, which native code does not read: set the process's.
            if (OperatingSystem.IsWindows())
            {
                Environment.SetEnvironmentVariable(Variable, "1");
            }
            else
            {
                _ = SetEnvironmentVariable(Variable, "1", overwrite: 0);
            }
        }

        OrtEnv.Instance().DisableTelemetryEvents();
    }

    // DllImport, not LibraryImport: the generated marshalling would need unsafe code in the project for one call.
    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetEnvironmentVariable(string name, string value, int overwrite);
}

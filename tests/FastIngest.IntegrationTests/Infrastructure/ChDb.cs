using System.Runtime.InteropServices;
using System.Text;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// chDB's C API over libchdb.so (ClickHouse 26.7 as clickhouse-local, in this process): one connection,
/// one query at a time. chDB ships no header; the signatures are those of its <c>chdb.h</c>:
/// <c>chdb_connection* chdb_connect(int, char**)</c>, <c>chdb_result* chdb_query(chdb_connection, const char*,
/// const char*)</c> (the connection is what the pointer points to), and the result's buffer, length and error.
/// </summary>
internal sealed unsafe partial class ChDb : IDisposable
{
    private readonly nint _library;
    private readonly delegate* unmanaged<nint, byte*, byte*, nint> _query;
    private readonly delegate* unmanaged<nint, byte*> _buffer;
    private readonly delegate* unmanaged<nint, nuint> _length;
    private readonly delegate* unmanaged<nint, byte*> _error;
    private readonly delegate* unmanaged<nint, void> _destroyResult;
    private readonly delegate* unmanaged<nint, void> _close;
    private readonly Lock _lock = new();
    private nint _connectionHandle;

    public ChDb(string libraryPath, string dataPath)
    {
        // ClickHouse's handlers for SIGSEGV and friends would take the signals .NET turns into
        // NullReferenceException (and its real-time ones suspend threads for the GC). chDB's opt-out, and
        // chdb_connect itself, reset some of them to SIG_DFL as a side effect (the Go and Java bindings
        // guard against the same): every handler is saved first and put back after.
        byte[][] saved = SaveSignalHandlers();
        _library = NativeLibrary.Load(libraryPath);
        var disableSignals = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(_library, "chdb_set_signal_handlers_enabled");
        disableSignals(0);
        var connect = (delegate* unmanaged<int, byte**, nint>)NativeLibrary.GetExport(_library, "chdb_connect");
        _query = (delegate* unmanaged<nint, byte*, byte*, nint>)NativeLibrary.GetExport(_library, "chdb_query");
        _buffer = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(_library, "chdb_result_buffer");
        _length = (delegate* unmanaged<nint, nuint>)NativeLibrary.GetExport(_library, "chdb_result_length");
        _error = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(_library, "chdb_result_error");
        _destroyResult = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(_library, "chdb_destroy_query_result");
        _close = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(_library, "chdb_close_conn");

        byte[][] args = [Utf8("clickhouse"), Utf8("--path=" + dataPath)];
        fixed (byte* arg0 = args[0], arg1 = args[1])
        {
            byte** argv = stackalloc byte*[] { arg0, arg1 };
            _connectionHandle = connect(2, argv);
        }

        RestoreSignalHandlers(saved);

        if (_connectionHandle == 0 || *(nint*)_connectionHandle == 0)
        {
            throw new InvalidOperationException($"chdb_connect failed for {dataPath}");
        }
    }

    /// <summary>Runs <paramref name="sql"/>; the output in <paramref name="format"/>, or ClickHouse's error text.</summary>
    public (byte[] Output, string? Error) Query(string sql, string format)
    {
        byte[] query = Utf8(sql);
        byte[] formatName = Utf8(format);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_connectionHandle == 0, this);
            nint result;
            fixed (byte* q = query, f = formatName)
            {
                result = _query(*(nint*)_connectionHandle, q, f);
            }

            if (result == 0)
            {
                return ([], "chdb_query returned no result");
            }

            try
            {
                byte* error = _error(result);
                if (error is not null)
                {
                    return ([], Marshal.PtrToStringUTF8((nint)error));
                }

                byte* buffer = _buffer(result);
                int length = checked((int)_length(result));
                return (buffer is null ? [] : new ReadOnlySpan<byte>(buffer, length).ToArray(), null);
            }
            finally
            {
                _destroyResult(result);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_connectionHandle != 0)
            {
                _close(_connectionHandle);
                _connectionHandle = 0;
            }
        }

        // The library stays loaded: ClickHouse's global state does not survive an unload.
    }

    // struct sigaction is 152 bytes on glibc x64; 256 leaves room.
    private static byte[][] SaveSignalHandlers()
    {
        var saved = new byte[65][];
        for (int signal = 1; signal <= 64; signal++)
        {
            saved[signal] = new byte[256];
            fixed (byte* old = saved[signal])
            {
                if (SigAction(signal, null, old) != 0)
                {
                    saved[signal] = null!;
                }
            }
        }

        return saved;
    }

    private static void RestoreSignalHandlers(byte[][] saved)
    {
        for (int signal = 1; signal <= 64; signal++)
        {
            if (saved[signal] is { } action && signal is not 9 and not 19)
            {
                fixed (byte* act = action)
                {
                    _ = SigAction(signal, act, null);
                }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int SigAction(int signal, byte* action, byte* oldAction);

    // NUL-terminated UTF-8 for the C side.
    private static byte[] Utf8(string text)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}

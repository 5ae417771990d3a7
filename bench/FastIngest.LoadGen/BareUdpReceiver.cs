using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FastIngest.LoadGen;

/// <summary>
/// The platform's ceiling for UDP syslog in .NET: one thread, one blocking <see cref="Socket.Receive(Span{byte})"/>
/// per datagram into one buffer, a counter, nothing else. The same 32 MiB kernel buffer FastIngest
/// asks for (SO_RCVBUFFORCE as root), so the comparison is about the work per datagram only.
/// </summary>
internal static class BareUdpReceiver
{
    private const int SolSocket = 1;
    private const int SoRcvBufForce = 33;
    private const int ReceiveBufferBytes = 32 * 1024 * 1024;

    public static int Run(IPEndPoint endPoint, string countFile, TimeSpan duration)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(ReceiveBufferBytes));
        }
        catch (SocketException)
        {
            socket.ReceiveBufferSize = ReceiveBufferBytes;
        }

        socket.Bind(endPoint);
        long received = 0;
        using var stop = new CancellationTokenSource(duration);
        // The count goes to a file 10 times a second: the sender reads it to know what arrived.
        var reporter = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                File.WriteAllText(countFile, Volatile.Read(ref received).ToString(CultureInfo.InvariantCulture));
                Thread.Sleep(100);
            }
        })
        { IsBackground = true, Name = "count-reporter" };
        File.WriteAllText(countFile, "0");
        reporter.Start();
        Console.WriteLine($"bare-udp: counting datagrams on {endPoint} (kernel buffer {socket.ReceiveBufferSize} bytes) into {countFile}");
        Console.Out.Flush();
        byte[] buffer = new byte[65536];
        socket.ReceiveTimeout = 500;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                socket.Receive(buffer.AsSpan(), SocketFlags.None);
                Volatile.Write(ref received, received + 1);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
            {
            }
        }

        File.WriteAllText(countFile, received.ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}

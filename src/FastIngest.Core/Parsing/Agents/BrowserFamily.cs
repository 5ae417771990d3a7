namespace FastIngest.Core.Parsing.Agents;

/// <summary>
/// The browser an agent claims. Chromium-based browsers that send a plain Chrome agent (Brave, most
/// Vivaldi, Arc) are <see cref="Chrome"/>: nothing in their bytes tells them apart. <see cref="InApp"/>
/// is a web view inside an app (Facebook, Instagram, Android <c>wv</c>, iOS without a Safari token).
/// </summary>
internal enum BrowserFamily : byte
{
    Other = 0,
    Chrome,
    Edge,
    Firefox,
    Safari,
    Opera,
    SamsungInternet,
    UC,
    Yandex,
    IE,
    InApp,
}

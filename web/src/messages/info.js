// The information pages (pages/info.js): help, fees, the API guide, the terms of use, the
// risk disclosure, the sandbox explainer and the asset pages, in English and Korean.
//
// A page's body is a list of sections, each a heading and paragraphs (a paragraph that is a
// list is an array of items); {origin} and {wsOrigin} are filled with this server's address.
// Short texts (titles, the footer, table headings) are in the catalog (`default`) that
// lib/i18n.js looks keys up in.

// The terms of use and the risk disclosure below are published under one version,
// TERMS_VERSION in lib/welcome.js: change it with their text.

export default {
  en: {
    "info.help": "Help",
    "info.fees": "Fees",
    "info.api": "Using the API",
    "info.terms": "Terms of use",
    "info.risk": "Risk disclosure",
    "info.sandbox": "About the sandbox",
    "info.asset": "{code}: {name}",
    "info.updated": "Version of {version}",
    "fees.market": "Market",
    "fees.maker": "Maker fee",
    "fees.taker": "Taker fee",
    "fees.yours": "The rates below are those of your account, as the exchange charges them.",
    "fees.visitor": "These are the standard rates of each market. An account can have rates of its own: log in to see yours.",
    "fees.loginLink": "Log in",
    "fees.loading": "Loading the markets…",
    "asset.unit": "One token stands for",
    "asset.kind": "Kind of asset",
    "asset.market": "Market",
    "asset.last": "Last price",
    "asset.tick": "Price step",
    "asset.step": "Quantity step",
    "asset.minOrder": "Minimum order",
    "asset.trade": "Trade {market}",
    "asset.backing": "What backs it",
  },
  ko: {
    "info.help": "도움말",
    "info.fees": "수수료",
    "info.api": "API 사용하기",
    "info.terms": "이용약관",
    "info.risk": "위험 고지",
    "info.sandbox": "샌드박스 안내",
    "info.asset": "{code}: {name}",
    "info.updated": "{version} 버전",
    "fees.market": "마켓",
    "fees.maker": "메이커 수수료",
    "fees.taker": "테이커 수수료",
    "fees.yours": "아래 수수료율은 거래소가 실제로 적용하는 내 계정의 수수료율입니다.",
    "fees.visitor": "각 마켓의 기본 수수료율입니다. 계정마다 수수료율이 다를 수 있으니 로그인해서 내 수수료율을 확인하세요.",
    "fees.loginLink": "로그인",
    "fees.loading": "마켓을 불러오는 중…",
    "asset.unit": "토큰 1개가 나타내는 것",
    "asset.kind": "자산 종류",
    "asset.market": "마켓",
    "asset.last": "현재가",
    "asset.tick": "호가 단위",
    "asset.step": "수량 단위",
    "asset.minOrder": "최소 주문 금액",
    "asset.trade": "{market} 거래하기",
    "asset.backing": "기초 자산",
  },
};

// What one token of each real-world asset stands for. The listing carries no description
// of an asset (only its code and decimals), so the asset pages read theirs from here.
export const ASSETS = {
  KGLD: {
    market: "KGLDKRW",
    en: { name: "Tokenized gold", unit: "1 gram of gold", kind: "Precious metal", backing: "Gold held in a vault by a custodian, one gram per token." },
    ko: { name: "토큰화된 금", unit: "금 1그램", kind: "귀금속", backing: "수탁 기관이 금고에 보관하는 금, 토큰 1개당 1그램." },
  },
  KSLV: {
    market: "KSLVKRW",
    en: { name: "Tokenized silver", unit: "1 gram of silver", kind: "Precious metal", backing: "Silver held in a vault by a custodian, one gram per token." },
    ko: { name: "토큰화된 은", unit: "은 1그램", kind: "귀금속", backing: "수탁 기관이 금고에 보관하는 은, 토큰 1개당 1그램." },
  },
  KCU: {
    market: "KCUKRW",
    en: { name: "Tokenized copper", unit: "1 kilogram of copper", kind: "Industrial metal", backing: "Copper held in a warehouse, one kilogram per token." },
    ko: { name: "토큰화된 구리", unit: "구리 1킬로그램", kind: "산업용 금속", backing: "창고에 보관하는 구리, 토큰 1개당 1킬로그램." },
  },
  KOIL: {
    market: "KOILKRW",
    en: { name: "Tokenized crude oil", unit: "1 barrel of crude oil", kind: "Energy commodity", backing: "Crude oil held in storage, one barrel (about 159 litres) per token." },
    ko: { name: "토큰화된 원유", unit: "원유 1배럴", kind: "에너지 원자재", backing: "저장 시설에 보관하는 원유, 토큰 1개당 1배럴(약 159리터)." },
  },
  KRE1: {
    market: "KRE1KRW",
    en: { name: "Tokenized real estate", unit: "1 share of an office tower", kind: "Real estate", backing: "Shares of a Busan office tower held in trust; its rent is paid to the holders every month." },
    ko: { name: "토큰화된 부동산", unit: "오피스 빌딩 지분 1주", kind: "부동산", backing: "신탁이 보유한 부산 오피스 빌딩의 지분, 임대 수익은 매달 보유자에게 지급됩니다." },
  },
  KCO2: {
    market: "KCO2KRW",
    en: { name: "Carbon credit", unit: "1 tonne of CO2e", kind: "Carbon credit", backing: "Verified emission reductions of a registry project, one tonne per token; retiring a token retires its credits." },
    ko: { name: "탄소배출권", unit: "이산화탄소 환산 1톤", kind: "탄소배출권", backing: "등록부 프로젝트의 검증된 감축량, 토큰 1개당 1톤. 토큰을 소각하면 해당 배출권이 소각됩니다." },
  },
};

// The pages' bodies. A section is [heading, ...paragraphs]; a paragraph that is an array is
// a bulleted list.
export const PAGES = {
  en: {
    help: [
      ["Getting started", "Sign up with an email address and a password, then open the link we mail you to confirm the address. You can log in and look around before that, but trading waits for the confirmation. In the sandbox, the mail arrives in the sandbox mailbox, linked from the page you see after signing up."],
      ["Getting test funds", "Log in and press “Get test funds” in the sandbox banner at the top of any page. Play money in every listed asset is credited at once; you can ask again an hour later."],
      ["Placing an order", [
        "Open a market from the markets page, for example KGLD/KRW.",
        "Choose Buy or Sell, then a limit order (you set the price) or a market order (it trades at once at the best prices in the book).",
        "Enter the quantity or the total; the form shows the price step, the quantity step, the minimum order and the fee before you send it.",
        "Open orders and your trade history are under the order form; an open order can be cancelled at any time.",
      ]],
      ["Keeping your account safe", "Turn on two-factor login on the account page and keep its recovery codes somewhere safe. Choose an anti-phishing code: every genuine Assetport page you see after logging in, and every mail we send, shows it. A page or mail without it is not from us."],
      ["API keys", "Programs trade through API keys made on the account page. A key that may trade asks for your password again; limit it to the addresses your program runs from. See “API docs” for how to point a Binance client at this server."],
      ["Something does not work", "This is a sandbox run by its operator: report problems to whoever gave you its address. Nothing you do here can lose real money."],
    ],
    fees: [
      ["How fees work", "Each trade is charged a fee, a percentage of its value. An order that waits in the book and is filled later pays the maker fee; an order that trades at once against the book pays the taker fee. Each trade in your history shows the fee charged and the asset it was charged in."],
      ["Rates per market", "The table lists every market the exchange lists now, read from the exchange itself."],
      ["No other charges", "Signing up, keeping an account, test funds and API keys cost nothing. In the sandbox, fees are paid in test funds like everything else."],
    ],
    api: [
      ["Any Binance spot client", "Assetport speaks Binance's spot API: REST under /api/v3, market streams over WebSocket, and the WebSocket API. A client written for Binance works by changing only its addresses. Make an API key on the account page (HMAC or Ed25519); a key that should trade needs the trade permission."],
      ["Addresses of this server", [
        "REST: {origin}/api/v3 (python-binance: API_URL = \"{origin}/api\")",
        "Market streams: {wsOrigin}/ws and {wsOrigin}/stream (python-binance: STREAM_URL = \"{wsOrigin}/\")",
        "WebSocket API: {wsOrigin}/ws-api/v3",
      ]],
      ["ccxt", "After making the exchange, replace the whole urls['api'] table: public and private at {origin}/api/v3, ws.spot at {wsOrigin}/ws and ws-api.spot at {wsOrigin}/ws-api/v3. Replacing the whole table matters: sections left in it still point at binance.com, and a stray call would sign a request with your key there. Set the options fetchMarkets: {types: ['spot']}, fetchCurrencies: false and fetchMargins: false. Do not use set_sandbox_mode(True): it switches to Binance's testnet, not to this server."],
      ["python-binance", "Subclass Client (or AsyncClient) and set API_URL and WS_API_URL to the addresses above; subclass BinanceSocketManager and set STREAM_URL. Pass ping=False, or the constructor first pings binance.com."],
      ["What differs from Binance", [
        "Spot only: no margin, futures, savings or /sapi wallet endpoints.",
        "Prices, quantities and balances travel as decimal strings, exactly as on Binance, with each market's own steps (see exchangeInfo).",
        "Self-trade prevention is on by default (EXPIRE_MAKER), as on Binance.",
        "Errors carry Binance's codes and messages; the account endpoints add their own codes from -8000.",
      ]],
      ["Reference", "Every endpoint, with its parameters and answers, is listed in the interactive reference at /docs. The repository's docs/binance-api.md records, with sources, what Binance's clients send and expect and where Assetport departs from Binance on purpose."],
    ],
    terms: [
      ["What Assetport is", "Assetport is a sandbox exchange for tokens that stand for real-world assets (gold, silver, copper, oil) and for crypto assets. It exists to learn, to demonstrate and to test programs. These terms apply to the sandbox you are using now."],
      ["No real money, no real assets", "Every balance here is test funds. Test funds and tokens have no value, cannot be bought, sold, paid out or exchanged for money or for the assets they represent, and are not a claim on anyone. Nothing can be deposited or withdrawn."],
      ["Your account", [
        "Give an email address you can read: links to confirm it and to reset your password are sent there.",
        "Keep your password, two-factor codes, recovery codes and API secrets to yourself; whoever holds them can act as you.",
        "Do not use the exchange to attack it or its other users: no attempts to break in, no floods of requests beyond the published limits, no use of other people's accounts.",
      ]],
      ["The service as it is", "The sandbox is offered as it is, without any promise that it is available, correct or kept. The operator may reset it, erase accounts and balances, change the listed markets and these terms at any time. Prices come from demo market makers and other users' orders, not from any real market."],
      ["Your data", "The exchange keeps your email address, a hash of your password (never the password), your settings, your orders and trades, and the time and version of the terms you accepted. It sends mail only about your account. It does not sell or share your data."],
      ["Changes to these terms", "When the terms change, their version changes, and a new sign-up accepts the new version. The version you accepted is kept with your account."],
    ],
    risk: [
      ["Read this before trading", "This page describes the risks of trading tokenized assets. In the sandbox no real money is at stake, but the sandbox is meant to behave like a real exchange, and the same risks would apply there."],
      ["Prices move", "The price of a token can fall as well as rise, quickly and by a lot. Metals and oil prices move with the world economy, and a token's price can also move away from the price of what it stands for."],
      ["Liquidity", "There may be no one to trade with at the price you want. A market order in a thin book can fill far from the last price; a limit order may never fill."],
      ["A token is not the asset", "A token stands for an asset held by someone else: its value depends on the custodian keeping the asset, on the issuer honouring the token, and on the law of the place where the asset is held. Owning a token is not owning the gold, silver, copper or oil."],
      ["Technology", "Orders can be delayed or refused when the exchange is busy or unreachable; programs trading through the API can misbehave; accounts can be taken over when their passwords or keys leak. Use two-factor login and limit your API keys."],
      ["Fees add up", "Every trade pays a fee. Frequent trading can cost more than it gains."],
      ["In the sandbox", "Sandbox prices come from demo market makers and from other learners: they are not real market prices, and nothing you gain or lose here is real."],
    ],
    sandbox: [
      ["What the sandbox is", "This Assetport server runs as a sandbox: a complete exchange (order books, matching, accounts, the Binance-compatible API) where everything is pretend. It is for learning how an exchange works, trying the trade flow, and testing trading programs before they go near real money."],
      ["Test funds", "Once logged in, press “Get test funds” in the banner at the top of any page: your account is credited with play money in every listed asset (KRW, USDT, BTC, ETH and the metal and oil tokens). You can ask again an hour later."],
      ["Nothing here is real money", "Test funds have no value, cannot be paid out and cannot be bought. The tokens do not stand for any real gold, silver, copper or oil, and nothing can be deposited or withdrawn."],
      ["The demo market makers", "So that every market has prices from the first minute, two programs of the exchange trade in it: a market maker keeps a few buy and sell orders on each side of a price that wanders slowly, and a taker trades against them now and then, so trades, candles and tickers move. Your orders trade with theirs and with other users'."],
      ["Mail", "The sandbox sends no real mail: the mails it would send (address confirmation, password reset, security notices) are kept in the sandbox mailbox of the browser that signed up or logged in."],
    ],
    asset: [
      ["What the token is", "{code} is a token that stands for {unit}. On Assetport it trades against Korean won on the {market} market."],
      ["In the sandbox", "The {code} here is a sandbox token: it is not backed by any real asset and has no value. The description above says what a real {code} token would stand for."],
    ],
  },
  ko: {
    help: [
      ["시작하기", "이메일 주소와 비밀번호로 가입한 뒤, 메일로 받은 링크를 열어 주소를 확인하세요. 확인 전에도 로그인해 둘러볼 수 있지만 거래는 확인 후에 가능합니다. 샌드박스에서는 메일이 샌드박스 메일함으로 오며, 가입 후 보이는 페이지에 메일함 링크가 있습니다."],
      ["테스트 자금 받기", "로그인한 뒤 아무 페이지에서나 맨 위 샌드박스 배너의 ‘테스트 자금 받기’를 누르세요. 상장된 모든 자산의 연습용 자금이 바로 입금되며, 한 시간 뒤에 다시 받을 수 있습니다."],
      ["주문하기", [
        "마켓 페이지에서 마켓을 여세요. 예: KGLD/KRW.",
        "매수 또는 매도를 고른 뒤 지정가 주문(가격을 직접 정함)이나 시장가 주문(호가창의 최우선 가격으로 바로 체결)을 고르세요.",
        "수량이나 총액을 입력하세요. 보내기 전에 주문 양식이 호가 단위, 수량 단위, 최소 주문 금액과 수수료를 보여 줍니다.",
        "미체결 주문과 체결 내역은 주문 양식 아래에 있으며, 미체결 주문은 언제든 취소할 수 있습니다.",
      ]],
      ["계정 안전하게 지키기", "계정 페이지에서 2단계 인증을 켜고 복구 코드를 안전한 곳에 보관하세요. 피싱 방지 코드를 정해 두면 로그인 후 보이는 모든 정식 Assetport 페이지와 저희가 보내는 모든 메일에 그 코드가 표시됩니다. 코드가 없는 페이지나 메일은 저희가 보낸 것이 아닙니다."],
      ["API 키", "프로그램은 계정 페이지에서 만든 API 키로 거래합니다. 거래 권한이 있는 키를 만들 때는 비밀번호를 다시 묻습니다. 프로그램이 실행되는 주소로 키를 제한하세요. 바이낸스 클라이언트를 이 서버에 연결하는 방법은 ‘API 문서’를 보세요."],
      ["문제가 있을 때", "이 샌드박스는 운영자가 운영합니다. 이 주소를 알려 준 곳에 문제를 알려 주세요. 여기서 무엇을 하든 실제 돈을 잃지 않습니다."],
    ],
    fees: [
      ["수수료 방식", "체결마다 거래 금액의 일정 비율이 수수료로 부과됩니다. 호가창에 걸려 있다가 나중에 체결되는 주문은 메이커 수수료를, 호가창의 주문과 바로 체결되는 주문은 테이커 수수료를 냅니다. 체결 내역의 각 체결에 부과된 수수료와 수수료 자산이 표시됩니다."],
      ["마켓별 수수료율", "아래 표는 거래소에 지금 상장된 모든 마켓을 거래소에서 직접 읽어 보여 줍니다."],
      ["그 밖의 비용 없음", "가입, 계정 유지, 테스트 자금, API 키는 모두 무료입니다. 샌드박스에서는 수수료도 다른 모든 것처럼 테스트 자금으로 냅니다."],
    ],
    api: [
      ["바이낸스 현물 클라이언트 그대로", "Assetport는 바이낸스 현물 API를 지원합니다: /api/v3 아래의 REST, WebSocket 마켓 스트림, WebSocket API. 바이낸스용으로 만든 클라이언트는 주소만 바꾸면 동작합니다. 계정 페이지에서 API 키(HMAC 또는 Ed25519)를 만드세요. 거래할 키에는 거래 권한이 필요합니다."],
      ["이 서버의 주소", [
        "REST: {origin}/api/v3 (python-binance: API_URL = \"{origin}/api\")",
        "마켓 스트림: {wsOrigin}/ws, {wsOrigin}/stream (python-binance: STREAM_URL = \"{wsOrigin}/\")",
        "WebSocket API: {wsOrigin}/ws-api/v3",
      ]],
      ["ccxt", "거래소 객체를 만든 뒤 urls['api'] 표 전체를 바꾸세요: public과 private은 {origin}/api/v3, ws.spot은 {wsOrigin}/ws, ws-api.spot은 {wsOrigin}/ws-api/v3. 표 전체를 바꾸는 것이 중요합니다. 남겨 둔 항목은 여전히 binance.com을 가리키므로, 잘못된 호출이 내 키로 서명한 요청을 그곳에 보낼 수 있습니다. 옵션 fetchMarkets: {types: ['spot']}, fetchCurrencies: false, fetchMargins: false를 설정하세요. set_sandbox_mode(True)는 쓰지 마세요. 이 서버가 아니라 바이낸스 테스트넷으로 바뀝니다."],
      ["python-binance", "Client(또는 AsyncClient)를 상속해 API_URL과 WS_API_URL을 위 주소로 정하고, BinanceSocketManager를 상속해 STREAM_URL을 정하세요. ping=False를 넘기지 않으면 생성자가 먼저 binance.com에 핑을 보냅니다."],
      ["바이낸스와 다른 점", [
        "현물만 지원합니다: 마진, 선물, 예치, /sapi 지갑 엔드포인트는 없습니다.",
        "가격, 수량, 잔고는 바이낸스와 똑같이 십진수 문자열로 오가며, 마켓마다 고유한 단위를 따릅니다(exchangeInfo 참고).",
        "자전거래 방지는 바이낸스처럼 기본으로 켜져 있습니다(EXPIRE_MAKER).",
        "오류는 바이낸스의 코드와 메시지를 따르며, 계정 엔드포인트는 -8000부터 고유 코드를 씁니다.",
      ]],
      ["참고 자료", "모든 엔드포인트와 그 매개변수, 응답은 /docs의 대화형 레퍼런스에 있습니다. 저장소의 docs/binance-api.md에는 바이낸스 클라이언트가 보내고 기대하는 것과 Assetport가 의도적으로 다른 점이 출처와 함께 정리되어 있습니다."],
    ],
    terms: [
      ["Assetport는", "Assetport는 실물 자산(금, 은, 구리, 원유)을 나타내는 토큰과 암호화폐를 거래하는 샌드박스 거래소입니다. 학습, 시연, 프로그램 시험을 위해 존재합니다. 이 약관은 지금 사용 중인 샌드박스에 적용됩니다."],
      ["실제 돈도, 실물 자산도 없습니다", "여기의 모든 잔고는 테스트 자금입니다. 테스트 자금과 토큰은 가치가 없고, 돈이나 토큰이 나타내는 자산으로 사고팔거나 지급받거나 교환할 수 없으며, 누구에 대한 청구권도 아닙니다. 입금과 출금은 할 수 없습니다."],
      ["내 계정", [
        "읽을 수 있는 이메일 주소를 쓰세요. 주소 확인과 비밀번호 재설정 링크가 그 주소로 갑니다.",
        "비밀번호, 2단계 인증 코드, 복구 코드, API 시크릿은 혼자만 아세요. 그것을 가진 사람은 누구든 나로서 행동할 수 있습니다.",
        "거래소나 다른 이용자를 공격하는 데 쓰지 마세요: 침입 시도, 공개된 한도를 넘는 요청 폭주, 다른 사람 계정의 사용은 금지됩니다.",
      ]],
      ["있는 그대로의 서비스", "샌드박스는 있는 그대로 제공되며, 이용 가능성, 정확성, 보존을 약속하지 않습니다. 운영자는 언제든 샌드박스를 초기화하고, 계정과 잔고를 지우고, 상장 마켓과 이 약관을 바꿀 수 있습니다. 가격은 데모 마켓 메이커와 다른 이용자의 주문에서 나오며, 실제 시장의 가격이 아닙니다."],
      ["내 정보", "거래소는 이메일 주소, 비밀번호의 해시(비밀번호 자체는 저장하지 않음), 설정, 주문과 체결, 동의한 약관의 버전과 시각을 보관합니다. 메일은 계정에 관한 것만 보냅니다. 정보를 팔거나 공유하지 않습니다."],
      ["약관 변경", "약관이 바뀌면 버전이 바뀌며, 새로 가입할 때 새 버전에 동의합니다. 내가 동의한 버전은 계정과 함께 보관됩니다."],
    ],
    risk: [
      ["거래 전에 읽어 주세요", "이 페이지는 토큰화된 자산 거래의 위험을 설명합니다. 샌드박스에서는 실제 돈이 걸려 있지 않지만, 샌드박스는 실제 거래소처럼 동작하도록 만들어졌으며 실제 거래소라면 같은 위험이 따릅니다."],
      ["가격은 움직입니다", "토큰 가격은 오를 수도 내릴 수도 있으며, 빠르고 크게 움직일 수 있습니다. 금속과 원유 가격은 세계 경제에 따라 움직이고, 토큰 가격은 그것이 나타내는 자산의 가격과 달라질 수도 있습니다."],
      ["유동성", "원하는 가격에 거래할 상대가 없을 수 있습니다. 호가가 얇은 마켓의 시장가 주문은 직전 가격과 크게 다른 가격에 체결될 수 있고, 지정가 주문은 끝내 체결되지 않을 수 있습니다."],
      ["토큰은 자산 그 자체가 아닙니다", "토큰은 다른 누군가가 보관하는 자산을 나타냅니다. 그 가치는 자산을 보관하는 수탁 기관, 토큰을 책임지는 발행인, 자산이 보관된 곳의 법에 달려 있습니다. 토큰을 가졌다고 금, 은, 구리, 원유를 가진 것은 아닙니다."],
      ["기술적 위험", "거래소가 바쁘거나 연결되지 않으면 주문이 늦어지거나 거부될 수 있고, API로 거래하는 프로그램이 오작동할 수 있으며, 비밀번호나 키가 새면 계정을 빼앗길 수 있습니다. 2단계 인증을 쓰고 API 키를 제한하세요."],
      ["수수료는 쌓입니다", "체결마다 수수료가 붙습니다. 잦은 거래는 얻는 것보다 비용이 더 클 수 있습니다."],
      ["샌드박스에서는", "샌드박스의 가격은 데모 마켓 메이커와 다른 학습자에게서 나옵니다. 실제 시장 가격이 아니며, 여기서 얻거나 잃는 것은 실제가 아닙니다."],
    ],
    sandbox: [
      ["샌드박스란", "이 Assetport 서버는 샌드박스로 운영됩니다. 호가창, 체결, 계정, 바이낸스 호환 API까지 갖춘 완전한 거래소이지만 모든 것이 연습용입니다. 거래소가 어떻게 동작하는지 배우고, 거래 과정을 직접 해 보고, 거래 프로그램을 실제 돈에 쓰기 전에 시험하는 곳입니다."],
      ["테스트 자금", "로그인한 뒤 아무 페이지에서나 맨 위 배너의 ‘테스트 자금 받기’를 누르세요. 상장된 모든 자산(KRW, USDT, BTC, ETH, 금속과 원유 토큰)의 연습용 자금이 계정에 입금됩니다. 한 시간 뒤에 다시 받을 수 있습니다."],
      ["실제 돈은 없습니다", "테스트 자금은 가치가 없고, 지급받을 수도 살 수도 없습니다. 토큰은 실제 금, 은, 구리, 원유를 나타내지 않으며, 입금과 출금은 할 수 없습니다."],
      ["데모 마켓 메이커", "모든 마켓에 처음부터 가격이 있도록 거래소의 프로그램 두 개가 거래합니다. 마켓 메이커는 천천히 움직이는 가격의 위아래에 매수·매도 주문을 몇 개씩 걸어 두고, 테이커는 가끔 그 주문과 거래해 체결, 캔들, 시세가 움직이게 합니다. 내 주문은 이들의 주문이나 다른 이용자의 주문과 체결됩니다."],
      ["메일", "샌드박스는 실제 메일을 보내지 않습니다. 보냈을 메일(주소 확인, 비밀번호 재설정, 보안 알림)은 가입하거나 로그인한 브라우저의 샌드박스 메일함에 보관됩니다."],
    ],
    asset: [
      ["토큰 설명", "{code} 토큰 1개는 {unit}에 해당합니다. Assetport에서는 {market} 마켓에서 원화로 거래됩니다."],
      ["샌드박스에서는", "여기의 {code}는 샌드박스 토큰으로, 실제 자산의 뒷받침이 없고 가치도 없습니다. 위 설명은 실제 {code} 토큰이 나타낼 것을 말합니다."],
    ],
  },
};

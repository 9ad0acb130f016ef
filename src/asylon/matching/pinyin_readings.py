"""Korean readings of each toneless pinyin syllable, most frequent first.

Built by scripts/unihan_tables.py from Unihan (kMandarin, kXHC1983, kTGHZ2013 and kHangul) over
the GB 2312 characters; readings shared by fewer than two characters dropped unless they are the
only ones. The table itself lives in the generated module `unihan`.

That ranking counts characters, not names: it drops 国 guo 국, 赫 he 혁, 姬 ji 희 and 龙 long 룡
(each the only character of its reading) and puts 吉 ji 길 thirteenth. `NAME_CHARACTERS` lists
characters common in Korean given names with the sound a Chinese official writes for them;
`given_readings` puts their readings first.
"""

from __future__ import annotations

import functools

from asylon.matching.unihan import PINYIN_READINGS

READINGS: dict[str, str] = PINYIN_READINGS

# Korean reading: simplified characters with their pinyin, readings roughly by how often they
# occur in given names, characters by how often they carry that reading. tests/matching check
# every character against Unihan's kHangul.
NAME_CHARACTERS = """
영:英ying 永yong 荣rong 泳yong 映ying 瑛ying 颖ying 迎ying
정:正zheng 贞zhen 定ding 廷ting 晶jing 静jing 庭ting 政zheng 婷ting 情qing 汀ting
수:秀xiu 洙zhu 寿shou 守shou 修xiu 水shui 树shu
현:贤xian 玄xuan 炫xuan 铉xuan 显xian 泫xuan 弦xian
민:民min 敏min 珉min 旻min
지:智zhi 志zhi 芝zhi 枝zhi 知zhi 之zhi 至zhi 池chi 址zhi
진:镇zhen 珍zhen 真zhen 进jin 晋jin 振zhen 辰chen
성:成cheng 圣sheng 星xing 性xing 诚cheng 盛sheng 城cheng 声sheng
은:恩en 银yin 殷yin 隐yin 垠yin
희:姬ji 熙xi 喜xi 希xi 禧xi 嬉xi
경:京jing 庆qing 敬jing 景jing 卿qing 炅jiong 镜jing 庚geng 耕geng
준:俊jun 峻jun 浚jun 准zhun 骏jun
호:浩hao 虎hu 镐hao 昊hao 好hao 湖hu 豪hao 皓hao
재:在zai 载zai 材cai 才cai 宰zai 哉zai 再zai
상:相xiang 尚shang 祥xiang 上shang 常chang 商shang
동:东dong 洞dong 童tong 栋dong
석:石shi 锡xi 硕shuo 奭shi
철:哲zhe 铁tie 喆zhe 澈che 彻che
우:宇yu 佑you 雨yu 友you 祐you 优you 羽yu
훈:勋xun 熏xun 薰xun 训xun
미:美mei 米mi 微wei
숙:淑shu 叔shu 肃su
순:顺shun 淳chun 纯chun 舜shun
옥:玉yu 钰yu 沃wo
자:子zi 慈ci 姿zi
혜:惠hui 慧hui 蕙hui
연:妍yan 延yan 娟juan 燕yan 然ran 渊yuan
선:善shan 仙xian 先xian 宣xuan 鲜xian 璇xuan
화:花hua 华hua 和he 化hua
주:珠zhu 柱zhu 周zhou 朱zhu 宙zhou 株zhu 洲zhou
용:勇yong 容rong 镛yong 溶rong
룡:龙long
일:日ri 一yi 逸yi 溢yi
광:光guang 广guang
명:明ming 鸣ming 命ming 铭ming
태:泰tai 太tai 台tai
식:植zhi 式shi 湜shi
원:元yuan 远yuan 源yuan 园yuan 媛yuan 原yuan 愿yuan
기:基ji 起qi 技ji 琪qi 其qi 奇qi 箕ji 淇qi
환:焕huan 桓huan 欢huan
국:国guo 菊ju
남:男nan 南nan 楠nan
승:胜sheng 承cheng 昇sheng 升sheng
욱:旭xu 昱yu 郁yu 煜yu
혁:赫he 革ge 奕yi
범:范fan 凡fan
규:奎kui 圭gui 珪gui
윤:润run 允yun 闰run
한:汉han 翰han
하:夏xia 河he 荷he 霞xia
빈:彬bin 斌bin
아:娥e 雅ya 亚ya
란:兰lan
련:莲lian 连lian
향:香xiang
금:锦jin 琴qin 今jin
복:福fu
길:吉ji
봉:凤feng 峰feng 奉feng
덕:德de
만:万wan 满man
춘:春chun
학:学xue 鹤he
설:雪xue
송:松song
애:爱ai
녀:女nv
심:心xin
청:青qing 清qing
충:忠zhong
림:林lin 琳lin
리:里li 利li 理li 莉li
종:钟zhong 宗zong
창:昌chang
택:泽ze
근:根gen
병:炳bing 秉bing
대:大da
도:道dao
인:仁ren 寅yin
형:亨heng 炯jiong 衡heng
효:孝xiao 晓xiao
찬:灿can 赞zan
세:世shi
소:素su 昭zhao
예:艺yi
운:云yun 运yun
웅:雄xiong
의:义yi
제:济ji
필:弼bi
해:海hai
홍:洪hong 弘hong
나:娜na
"""


def _name_readings() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in NAME_CHARACTERS.split("\n"):
        if not line:
            continue
        reading, _, characters = line.partition(":")
        for entry in characters.split():
            syllable = entry[1:]
            if reading not in out.get(syllable, ""):
                out[syllable] = out.get(syllable, "") + reading
    return out


NAME_READINGS: dict[str, str] = _name_readings()


@functools.cache
def given_readings(syllable: str) -> str:
    """The Korean readings a pinyin syllable may have in a given name, likeliest first: those of
    common name characters, then the rest of Unihan's in its order."""
    return "".join(dict.fromkeys(NAME_READINGS.get(syllable, "") + READINGS.get(syllable, "")))

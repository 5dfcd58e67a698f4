"""Word lists for telling English from Vietnamese typed without diacritics.

These lists are small on purpose: they carry the words short resident
messages are made of (function words, question words, everyday and
public-service vocabulary). The Vietnamese list is of syllables with their
diacritics removed; ``đ`` becomes ``d``.
"""

ENGLISH_WORDS = frozenset(
    """
a about above after again against all also am an and any anyone anything are area around as ask at
away back bad be because been before being best better between big bill book both bring bus but buy
by call can cannot card care center centre change cheap check child children city class classes close
come could country day days dear did do doctor does doing done dont down during each easy else email
emergency english enough even evening every everyone everything extend extension family far fee fees
find fine first for form free friend from get give go going good goodbye got great had has have having he
health hello help her here hey hi him his home hospital hot house how i if im in info information into
is it its job just keep kind know korea korean language last late learn leave left let like live long
look lost lot lots love made make man many may me mean money more morning most much must my name near
need needs new next nice night no not nothing now number of off office ok okay old on once one only
open or other our out over paper pay people person phone place please police problem question questions
quick read ready really right same say school see send should show sick sign since so some someone
something soon sorry speak staff start stay still stop such sure take talk tell than thank thanks that
the their them then there these they thing things think this those through time to today tomorrow too
understand until up us use very visa wait want wants was way we week well went were what when where
which while who whom why will with without woman work worker working would write wrong year years yes
yesterday yet you your yours bye thx ty pls plz u ur im ive whats hows wheres cant wont dont doesnt
didnt isnt arent contact centre immigration address hours opening registration register renew lose
salary wage wages unpaid boss insurance clinic hospital pregnant baby son daughter husband wife
divorce lawyer legal rent house deposit garbage trash bank account driving license bus subway event
events festival voucher apply application eligible support service services free class lesson lessons
human real robot bot agent operator consultant assistant are you talking chat morning afternoon
goodnight cheers later guys folks anybody somebody
""".split()
)

VIETNAMESE_SYLLABLES = frozenset(
    """
toi ban minh anh chi em co khong ko k dc duoc lam gi j sao the nao dau o day do kia nay nhu nao bao nhieu
may gio ngay thang nam xin chao cam on tam biet hen gap lai nhe nha a ah ạ vang da u uh dung roi chua
can muon phai nen biet hoi giup do ho tro di den ve tu cho voi cua va hay hoac nhung neu thi la mot hai
ba bon sau bay tam chin muoi tram nghin trieu so dien thoai goi nhan tin viet nam han quoc nga tieng
noi chuyen nguoi that nhan vien tu van trung tam cong ty viec luong tien nha o thue benh vien bac si
thuoc kham suc khoe bao hiem con chong vo gia dinh hoc truong lop xuat nhap canh gia han the cu tru dang
ky mat lam lai doi dia chi van phong mo cua ngay nghi chu nhat thu hai cuoi tuan sang chieu toi dem
khi nao tai vi sao bi bo tro cap dich vu mien phi hom qua mai kiem tra xem thong tin giay to ho so
nop don xin phep cho phep lien he duong day nong khan cap cap cuu canh sat ai ten bot may robot thiet
rat qua lam that su chac ok oke nhe nhi huhu hix vay ve gium giup dum kg hok hem bn mk mn
ad ib inbox sdt dt xnc tt ntn khg bik bt nv ng vs mih dk nhe oi uk okie
chi dan huong dan tim o dau cach thu tuc phi le phi mat bao lau ket hon di cu lao dong an toan tai nan
bao luc tu phap luat su mien phi nha ve rac thai phan loai ngan hang tai khoan bang lai xe buyt tau
su kien le hoi van hoa phieu the ho ngheo thu nhap cham soc nguoi gia tre em mang thai sinh con tiem
phong ve sinh ngoai quoc te gwangju kwangju xa phuong quan huyen tinh thanh pho dia diem
""".split()
)

# Words that residents of every language type in Latin letters; they tell
# nothing about the language.
NEUTRAL_TOKENS = frozenset(
    """
visa arc f4 f5 f6 e7 e9 h2 d2 d4 f1 topik kiip app online sms kakao kakaotalk zalo facebook telegram
hikorea gic danuri gwangju covid wifi id ok ps pdf
""".split()
)
